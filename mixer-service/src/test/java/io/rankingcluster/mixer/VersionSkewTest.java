package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One snapshot version per request across the chain: the mixer pins it and sends it down; stages
 * answer from it while they hold it; any other answer marks the page degraded "version_skew".
 */
class VersionSkewTest {
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(false, 2); // fresh per test: the tests swap versions
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private RecommendResponse recommend(String pinned) {
    return cluster
        .mixerStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setPageSize(10)
                .setContext(RequestContext.newBuilder().setUserId("7").setSnapshotVersion(pinned))
                .build());
  }

  /** stage -> cause of every degraded reason. */
  private static Map<String, String> causes(RecommendResponse r) {
    Map<String, String> out = new TreeMap<>();
    for (DegradedReason reason : r.getDegradedReasonsList()) {
      out.put(reason.getStage(), reason.getCause());
    }
    return out;
  }

  @Test
  void recommend_mixerSwappedBeforeStages_pageServed_degradedVersionSkewPerStage() {
    cluster.swapMixer(TestCluster.renamed("test-v2"));
    RecommendResponse r = recommend("");
    assertEquals(10, r.getItemsCount(), "skew costs no items");
    assertTrue(r.getDegraded());
    assertEquals(
        Map.of(
            "recall_shard_0",
            "version_skew",
            "recall_shard_1",
            "version_skew",
            "prerank",
            "version_skew",
            "rank",
            "version_skew"),
        causes(r));
    assertTrue(
        r.getDegradedReasons(0).getDetail().contains("test-v2"),
        r.getDegradedReasons(0).getDetail());
    assertEquals("test-v2", r.getVersions().getSnapshotVersion(), "the version the mixer pinned");
  }

  @Test
  void recommend_afterEveryServiceSwapped_noSkew_andPreviousVersionStillServesPinnedRequests() {
    cluster.swapStages(TestCluster.renamed("test-v2"));
    cluster.swapMixer(TestCluster.renamed("test-v2"));
    RecommendResponse now = recommend("");
    assertFalse(now.getDegraded(), () -> "unexpected: " + now.getDegradedReasonsList());
    assertEquals("test-v2", now.getVersions().getSnapshotVersion());

    RecommendResponse pinned = recommend("test-v1");
    assertFalse(
        pinned.getDegraded(),
        () -> "within grace every service still holds v1: " + pinned.getDegradedReasonsList());
    assertEquals("test-v1", pinned.getVersions().getSnapshotVersion());
  }

  @Test
  void recommend_pinnedToVersionNoServiceHolds_answeredWithCurrent_degradedVersionSkew() {
    RecommendResponse r = recommend("test-v0");
    assertEquals(10, r.getItemsCount());
    assertEquals(
        Map.of("mixer", "version_skew"),
        causes(r),
        "stages got the mixer's current version pinned");
    assertEquals("test-v1", r.getVersions().getSnapshotVersion());
  }

  @Test
  void stages_requestPinnedToUnknownVersion_answerWithTheirCurrentVersion() {
    RequestContext unknown =
        RequestContext.newBuilder().setUserId("7").setSnapshotVersion("test-v0").build();
    RecallResponse recalled =
        RecallServiceGrpc.newBlockingStub(cluster.channels.get(0))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .recall(RecallRequest.newBuilder().setContext(unknown).build());
    assertEquals("test-v1", recalled.getSnapshotVersion());
    CandidateBlock all = recalled.getCandidates();
    assertTrue(all.getItemIdsCount() > 0);
    CandidateBlock.Builder some = CandidateBlock.newBuilder();
    for (int i = 0; i < Math.min(100, all.getItemIdsCount()); i++) {
      some.addItemIds(all.getItemIds(i)).addKinds(all.getKinds(i)).addScores(all.getScores(i));
    }
    assertEquals(
        "test-v1",
        PrerankServiceGrpc.newBlockingStub(cluster.channels.get(2))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .prerank(PrerankRequest.newBuilder().setContext(unknown).setCandidates(some).build())
            .getSnapshotVersion());
    assertEquals(
        "test-v1",
        RankServiceGrpc.newBlockingStub(cluster.channels.get(3))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .rank(RankRequest.newBuilder().setContext(unknown).setCandidates(some).build())
            .getSnapshotVersion());
  }
}
