package io.rankingcluster.recall;

import static io.rankingcluster.common.testing.GrpcAssertions.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.offline.testing.TestWorlds;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Recall and GetEmbeddings RPCs of two shards over the test world, called through their own
 * stubs.
 */
class RecallServiceTest {
  private static final TestServer[] shards = new TestServer[2];

  @BeforeAll
  static void start() throws Exception {
    for (int s = 0; s < 2; s++) {
      RecallServiceImpl impl =
          new RecallServiceImpl(
              Versioned.fixed("test-v1", ShardData.of(TestWorlds.SNAPSHOT, s, 2)),
              RecallConfig.defaults());
      shards[s] = TestServer.start("recall-" + s, impl).closeOnStop(impl::close);
    }
  }

  @AfterAll
  static void stop() {
    for (TestServer s : shards) {
      s.close();
    }
  }

  static RecallServiceGrpc.RecallServiceBlockingStub recall(int shard) {
    return RecallServiceGrpc.newBlockingStub(shards[shard].channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void recall_twoShards_returnDisjointItemsOfTheirOwnShard() {
    RecallRequest req =
        RecallRequest.newBuilder().setContext(RequestContext.newBuilder().setUserId("5")).build();
    Set<Long> seen = new HashSet<>();
    for (int s = 0; s < 2; s++) {
      RecallResponse r = recall(s).recall(req);
      assertEquals(s, r.getShard().getIndex());
      assertTrue(r.getCandidates().getItemIdsCount() > 0);
      for (long id : r.getCandidates().getItemIdsList()) {
        assertEquals(
            s,
            io.rankingcluster.core.ShardFunction.shardOf(id, 2),
            "shard " + s + " returned a foreign item");
        assertTrue(seen.add(id), "item returned by both shards: " + id);
      }
    }
  }

  @Test
  void recall_limitAboveMaximum_isInvalidArgument() {
    assertInvalid(
        () ->
            recall(0)
                .recall(
                    RecallRequest.newBuilder()
                        .addKindLimits(
                            KindLimit.newBuilder()
                                .setKind(ItemKind.ITEM_KIND_VIDEO)
                                .setLimit(1_000_000))
                        .build()),
        "kind_limits[0].limit");
    assertInvalid(
        () ->
            recall(0)
                .recall(
                    RecallRequest.newBuilder()
                        .setUser(UserFeatures.newBuilder().addUserVector(Float.NaN))
                        .build()),
        "user.user_vector[0]");
  }

  @Test
  void recall_userVectorOfWrongDimension_isInvalidArgument() {
    assertInvalid(
        () ->
            recall(0)
                .recall(
                    RecallRequest.newBuilder()
                        .setUser(UserFeatures.newBuilder().addUserVector(0.1f).addUserVector(0.2f))
                        .build()),
        "user.user_vector");
  }

  @Test
  void recall_tooManyExcludedIds_isInvalidArgument() {
    RecallRequest.Builder r = RecallRequest.newBuilder();
    for (long id = 0; id < 20_001; id++) {
      r.addExcludeItemIds(id);
    }
    assertInvalid(() -> recall(0).recall(r.build()), "exclude_item_ids");
  }

  @Test
  void recall_excludedIdsAndCountry_neverReturned() {
    RecallRequest base =
        RecallRequest.newBuilder()
            .setContext(RequestContext.newBuilder().setUserId("5").setCountry("DE"))
            .build();
    RecallResponse first = recall(0).recall(base);
    java.util.List<Long> excluded = first.getCandidates().getItemIdsList().subList(0, 50);
    RecallResponse second =
        recall(0).recall(base.toBuilder().addAllExcludeItemIds(excluded).build());
    int de = io.rankingcluster.core.catalog.Catalog.countryIndex("DE");
    for (long id : second.getCandidates().getItemIdsList()) {
      assertTrue(!excluded.contains(id), "excluded item " + id + " returned");
      int row = TestWorlds.SNAPSHOT.catalog().index.rowOf(id);
      assertTrue(
          TestWorlds.SNAPSHOT.catalog().soldIn(row, de), "item " + id + " is not sold in DE");
    }
  }

  @Test
  void getEmbeddings_ownIdsFound_foreignAndUnknownListedMissing() {
    io.rankingcluster.core.catalog.Catalog all = TestWorlds.SNAPSHOT.catalog();
    long own = -1;
    long foreign = -1;
    for (int r = 0; r < all.size() && (own < 0 || foreign < 0); r++) {
      if (io.rankingcluster.core.ShardFunction.shardOf(all.ids[r], 2) == 0) {
        own = own < 0 ? all.ids[r] : own;
      } else {
        foreign = foreign < 0 ? all.ids[r] : foreign;
      }
    }
    io.rankingcluster.proto.v1.GetEmbeddingsResponse r =
        recall(0)
            .getEmbeddings(
                io.rankingcluster.proto.v1.GetEmbeddingsRequest.newBuilder()
                    .addItemIds(own)
                    .addItemIds(foreign)
                    .addItemIds(424242424242L)
                    .build());
    assertEquals(java.util.List.of(own), r.getItemIdsList());
    assertEquals(java.util.List.of(foreign, 424242424242L), r.getMissingItemIdsList());
    assertEquals(TestWorlds.SNAPSHOT.itemEmbeddings().dimension(), r.getDimension());
    assertEquals(r.getDimension(), r.getVectorsCount());
    int row = all.index.rowOf(own);
    for (int k = 0; k < r.getDimension(); k++) {
      assertEquals(
          TestWorlds.SNAPSHOT.itemEmbeddings().data()[row * r.getDimension() + k], r.getVectors(k));
    }
    assertEquals("test-v1", r.getSnapshotVersion());
  }
}
