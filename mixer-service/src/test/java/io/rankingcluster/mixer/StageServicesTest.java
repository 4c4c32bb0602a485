package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
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
import org.junit.jupiter.api.function.Executable;

/** Each stage called directly through its own stub, as another team's client would. */
class StageServicesTest {
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static RecallServiceGrpc.RecallServiceBlockingStub recall(int shard) {
    return RecallServiceGrpc.newBlockingStub(cluster.channels.get(shard))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static PrerankServiceGrpc.PrerankServiceBlockingStub prerank() {
    return PrerankServiceGrpc.newBlockingStub(cluster.channels.get(2))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static RankServiceGrpc.RankServiceBlockingStub rank() {
    return RankServiceGrpc.newBlockingStub(cluster.channels.get(3))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static void assertInvalid(Executable call, String field) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        e.getStatus().getDescription().startsWith(field),
        () -> "should name " + field + ": " + e.getStatus());
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
      int row = TestCluster.SNAPSHOT.catalog().index.rowOf(id);
      assertTrue(
          TestCluster.SNAPSHOT.catalog().soldIn(row, de), "item " + id + " is not sold in DE");
    }
  }

  @Test
  void getEmbeddings_ownIdsFound_foreignAndUnknownListedMissing() {
    io.rankingcluster.core.catalog.Catalog all = TestCluster.SNAPSHOT.catalog();
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
    assertEquals(TestCluster.SNAPSHOT.itemEmbeddings().dimension(), r.getDimension());
    assertEquals(r.getDimension(), r.getVectorsCount());
    int row = all.index.rowOf(own);
    for (int k = 0; k < r.getDimension(); k++) {
      assertEquals(
          TestCluster.SNAPSHOT.itemEmbeddings().data()[row * r.getDimension() + k],
          r.getVectors(k));
    }
    assertEquals("test-v1", r.getSnapshotVersion());
  }

  @Test
  void prerankAndRank_scoreRecallOutput_bestFirst() {
    RecallResponse recalled =
        recall(0)
            .recall(
                RecallRequest.newBuilder()
                    .setContext(RequestContext.newBuilder().setUserId("5"))
                    .build());
    PrerankResponse pre =
        prerank()
            .prerank(
                PrerankRequest.newBuilder()
                    .setCandidates(recalled.getCandidates())
                    .addTopKPerKind(
                        KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(30))
                    .build());
    long products =
        pre.getCandidates().getKindsList().stream()
            .filter(k -> k == ItemKind.ITEM_KIND_PRODUCT)
            .count();
    assertEquals(30, products);
    RankResponse ranked =
        rank().rank(RankRequest.newBuilder().setCandidates(pre.getCandidates()).build());
    assertEquals(pre.getCandidates().getItemIdsCount(), ranked.getItemIdsCount());
    for (int i = 1; i < ranked.getValuesCount(); i++) {
      assertTrue(
          ranked.getValues(i - 1) >= ranked.getValues(i),
          "rank output not sorted by value at " + i);
    }
    for (int i = 0; i < ranked.getPClickCount(); i++) {
      assertTrue(ranked.getPClick(i) > 0 && ranked.getPClick(i) < 1, "pClick out of (0,1)");
    }
  }

  @Test
  void prerank_mismatchedArraysOrNoCandidates_isInvalidArgument() {
    assertInvalid(
        () ->
            prerank()
                .prerank(
                    PrerankRequest.newBuilder()
                        .setCandidates(
                            CandidateBlock.newBuilder()
                                .addItemIds(1)
                                .addKinds(ItemKind.ITEM_KIND_PRODUCT))
                        .build()),
        "candidates");
    assertInvalid(
        () -> prerank().prerank(PrerankRequest.getDefaultInstance()), "candidates.item_ids");
    assertInvalid(
        () ->
            prerank()
                .prerank(
                    PrerankRequest.newBuilder()
                        .setCandidates(
                            CandidateBlock.newBuilder()
                                .addItemIds(1)
                                .addKinds(ItemKind.ITEM_KIND_PRODUCT)
                                .addScores(Float.POSITIVE_INFINITY))
                        .build()),
        "candidates.scores[0]");
  }

  @Test
  void rank_debugFeatures_equalTheOfflineFeaturesForTheSameInputs() {
    io.rankingcluster.core.snapshot.Snapshot s = TestCluster.SNAPSHOT;
    int u = s.users().rowOf("5");
    long[] recent = s.users().recentItems(u);
    io.rankingcluster.core.score.UserSignals signals =
        io.rankingcluster.core.score.UserSignals.of(
            recent, s.catalog(), s.categories().parentCount(), s.categories().leavesPerParent());
    float[] vector = new float[s.userVectors().dimension()];
    s.userVectors().copyRow(u, vector, 0);
    UserFeatures.Builder f =
        io.rankingcluster.common.mapping.ProtoMapping.features(signals).toBuilder();
    for (float v : vector) {
      f.addUserVector(v);
    }
    long time = io.rankingcluster.offline.world.DemoWorld.AS_OF_MS;
    CandidateBlock.Builder c = CandidateBlock.newBuilder();
    for (int row = 0; row < 40; row++) {
      c.addItemIds(s.catalog().ids[row * 7])
          .addKindsValue(s.catalog().kinds[row * 7])
          .addScores(0.5f);
    }
    RankResponse r =
        rank()
            .rank(
                RankRequest.newBuilder()
                    .setCandidates(c)
                    .setContext(RequestContext.newBuilder().setDebug(true).setClientTimeMs(time))
                    .setUser(f)
                    .build());
    int cols = io.rankingcluster.core.model.RankFeatures.COUNT;
    assertEquals(
        java.util.List.of(io.rankingcluster.core.model.RankFeatures.NAMES),
        r.getFeatureNamesList());
    assertEquals(r.getItemIdsCount() * cols, r.getFeatureValuesCount());
    // The offline path: the direct feature computation training uses (RankingData), same user, same
    // time.
    io.rankingcluster.core.model.RankFeatures.Context ctx =
        new io.rankingcluster.core.model.RankFeatures.Context(
            signals, vector, s.catalog(), s.itemEmbeddings());
    float[] offline = new float[cols];
    for (int i = 0; i < r.getItemIdsCount(); i++) {
      int row = s.catalog().index.rowOf(r.getItemIds(i));
      io.rankingcluster.core.model.RankFeatures.compute(
          s.catalog(), s.itemEmbeddings(), row, ctx, time, offline, 0, cols);
      for (int k = 0; k < cols; k++) {
        assertEquals(
            offline[k],
            r.getFeatureValues(i * cols + k),
            0f,
            "item "
                + r.getItemIds(i)
                + " feature "
                + io.rankingcluster.core.model.RankFeatures.NAMES[k]);
      }
    }
    RankResponse plain = rank().rank(RankRequest.newBuilder().setCandidates(c).setUser(f).build());
    assertEquals(0, plain.getFeatureValuesCount(), "no features without debug");
  }

  @Test
  void rank_badUserFeatures_isInvalidArgument() {
    CandidateBlock one =
        CandidateBlock.newBuilder()
            .addItemIds(100_001L)
            .addKinds(ItemKind.ITEM_KIND_PRODUCT)
            .addScores(1)
            .build();
    assertInvalid(
        () ->
            rank()
                .rank(
                    RankRequest.newBuilder()
                        .setCandidates(one)
                        .setUser(
                            UserFeatures.newBuilder()
                                .addAffinityCategoryIds(9999)
                                .addAffinityWeights(0.5f))
                        .build()),
        "user.affinity_category_ids[0]");
    assertInvalid(
        () ->
            rank()
                .rank(
                    RankRequest.newBuilder()
                        .setCandidates(one)
                        .setUser(UserFeatures.newBuilder().setTypicalPrice(Float.NaN))
                        .build()),
        "user.typical_price");
    assertInvalid(() -> rank().rank(RankRequest.getDefaultInstance()), "candidates.item_ids");
  }
}
