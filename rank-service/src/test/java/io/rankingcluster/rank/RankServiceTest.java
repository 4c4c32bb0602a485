package io.rankingcluster.rank;

import static io.rankingcluster.common.testing.GrpcAssertions.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.offline.testing.TestWorlds;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Rank RPC over the test world, through its own stub: debug features as training computes them,
 * bad input.
 */
class RankServiceTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.start(
            "rank",
            new RankServiceImpl(
                Versioned.fixed("test-v1", RankData.of(TestWorlds.SNAPSHOT, ValueFormula.DEFAULT)),
                2000));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static RankServiceGrpc.RankServiceBlockingStub rank() {
    return RankServiceGrpc.newBlockingStub(server.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void rank_debugFeatures_equalTheOfflineFeaturesForTheSameInputs() {
    io.rankingcluster.core.snapshot.Snapshot s = TestWorlds.SNAPSHOT;
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
