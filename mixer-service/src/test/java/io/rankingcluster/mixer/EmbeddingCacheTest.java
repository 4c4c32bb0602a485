package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ShardFunction;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.StageDebug;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mixer's hot-embedding cache against real recall shards. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddingCacheTest {
  private static TestCluster cluster;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(5);
  private static final RequestContext CTX =
      RequestContext.newBuilder().setRequestId("cache-test").build();

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static EmbeddingCache newCache() {
    return new EmbeddingCache(cluster.downstreams, 16 << 20, 10_000);
  }

  private static long[] ids(int from, int n) {
    return Arrays.copyOfRange(TestCluster.SNAPSHOT.catalog().ids, from, from + n);
  }

  @Test
  void get_batchOfMisses_loadsWithOneCallPerShard_thenHits() {
    EmbeddingCache cache = newCache();
    long[] ids = ids(0, 300);
    EmbeddingCache.Lookup first = cache.get("test-v1", ids, ids.length, SECOND, CTX);
    assertEquals(2, first.calls(), "one GetEmbeddings per shard");
    assertEquals(300, first.misses());
    assertEquals(300, first.loaded());
    int row = TestCluster.SNAPSHOT.catalog().index.rowOf(ids[7]);
    float[] expected = new float[TestCluster.SNAPSHOT.itemEmbeddings().dimension()];
    TestCluster.SNAPSHOT.itemEmbeddings().copyRow(row, expected, 0);
    assertArrayEquals(expected, first.vectors()[7], "the shard's vector for the item");

    long calls = cache.calls();
    EmbeddingCache.Lookup second = cache.get("test-v1", ids, ids.length, SECOND, CTX);
    assertEquals(300, second.hits());
    assertEquals(calls, cache.calls(), "all hits: no call");
    assertTrue(cache.stats().hitCount() >= 300);
  }

  @Test
  void get_missesOfOneShardOnly_callOnlyThatShard() {
    EmbeddingCache cache = newCache();
    long[] onShard1 =
        Arrays.stream(ids(0, 400)).filter(id -> ShardFunction.shardOf(id, 2) == 1).toArray();
    EmbeddingCache.Lookup l = cache.get("test-v1", onShard1, onShard1.length, SECOND, CTX);
    assertEquals(1, l.calls());
    assertEquals(onShard1.length, l.loaded());
  }

  @Test
  void get_versionNoShardHolds_nothingCachedOrUsed_versionsNeverMix() {
    EmbeddingCache cache = newCache();
    long[] ids = ids(0, 50);
    cache.get("test-v1", ids, ids.length, SECOND, CTX);
    // The shards answer an unknown version with their current one (test-v1): those vectors must not
    // be used
    // or cached as "test-v9", even though the same items are cached under test-v1.
    EmbeddingCache.Lookup other = cache.get("test-v9", ids, ids.length, SECOND, CTX);
    assertEquals(0, other.hits());
    assertEquals(0, other.loaded());
    for (float[] v : other.vectors()) {
      assertNull(v);
    }
    assertEquals(
        50, cache.get("test-v1", ids, ids.length, SECOND, CTX).hits(), "test-v1 entries untouched");
  }

  @Test
  void prewarm_loadsThePopularItemsOfANewVersionOnce() throws Exception {
    EmbeddingCache cache = newCache();
    long[] popular = Arrays.copyOf(MixerData.of(TestCluster.SNAPSHOT).popularIds(), 200);
    cache.prewarm("test-v1", popular, CTX);
    // The pre-warm runs in the background.
    await().atMost(java.time.Duration.ofSeconds(20)).until(() -> cache.estimatedSize() >= 200);
    long calls = cache.calls();
    EmbeddingCache.Lookup l = cache.get("test-v1", popular, popular.length, SECOND, CTX);
    assertEquals(200, l.hits(), "every popular item is warm");
    assertEquals(calls, cache.calls());
    cache.prewarm("test-v1", popular, CTX);
    assertTrue(cache.prewarmStarted("test-v1"));
  }

  @Test
  void recommend_debugShowsCacheUse_andAUserVectorBlendedWithRecentItems() {
    RecommendResponse r =
        cluster
            .mixerStub()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .recommend(
                RecommendRequest.newBuilder()
                    .setContext(RequestContext.newBuilder().setUserId("11").setDebug(true))
                    .build());
    StageDebug blend =
        r.getDebug().getStagesList().stream()
            .filter(s -> s.getStage().equals("blend"))
            .findFirst()
            .orElseThrow();
    assertTrue(blend.getDetail().contains("cache hits"), blend.getDetail());
    StageDebug user =
        r.getDebug().getStagesList().stream()
            .filter(s -> s.getStage().equals("user_state"))
            .findFirst()
            .orElseThrow();
    assertTrue(user.getDetail().contains("recent items"), user.getDetail());
    assertTrue(r.getItemsCount() > 0, "the page is served with the embeddings found");
  }
}
