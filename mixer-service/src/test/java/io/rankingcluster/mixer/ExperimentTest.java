package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A/B: the mixer assigns each user an arm, and the rank stage serves that arm's model version. */
class ExperimentTest {
  private static TestCluster cluster;
  private static String wide;

  @BeforeAll
  static void start() throws Exception {
    wide = TestCluster.SNAPSHOT.modelVersions().get("rank@wide");
    cluster =
        TestCluster.builder()
            .mixer(
                "--experiment=rank-wide-test",
                "--experiment-arms=control:0.5;wide:0.5:rank=" + wide)
            .start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static RecommendResponse call(RequestContext.Builder ctx) {
    return cluster
        .mixerStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .recommend(RecommendRequest.newBuilder().setPageSize(5).setContext(ctx).build());
  }

  @Test
  void recommend_usersSplitOverArms_eachServedItsArmsRankModel() {
    Map<String, Integer> arms = new HashMap<>();
    for (int u = 1; u <= 60; u++) {
      RecommendResponse r = call(RequestContext.newBuilder().setUserId(Integer.toString(u)));
      String arm = r.getVersions().getExperimentArm();
      arms.merge(arm, 1, Integer::sum);
      String expected =
          arm.equals("wide") ? wide : TestCluster.SNAPSHOT.modelVersions().get("rank");
      assertEquals(expected, r.getVersions().getRankModelVersion(), "user " + u + " in arm " + arm);
      assertEquals(
          arm,
          call(RequestContext.newBuilder().setUserId(Integer.toString(u)))
              .getVersions()
              .getExperimentArm(),
          "the same user stays in the same arm");
    }
    assertTrue(
        arms.getOrDefault("control", 0) > 10 && arms.getOrDefault("wide", 0) > 10,
        "both arms serve users: " + arms);
  }

  @Test
  void recommend_forcedArm_servesIt_unknownArmIsNotFound() {
    assertEquals(
        wide,
        call(RequestContext.newBuilder().setUserId("1").setExperiment("wide"))
            .getVersions()
            .getRankModelVersion());
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> call(RequestContext.newBuilder().setUserId("1").setExperiment("no-such-arm")));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("context.experiment"),
        e.getStatus().getDescription());
  }

  @Test
  void rank_unknownModelVersion_isNotFoundNamingTheField() {
    CandidateBlock one =
        CandidateBlock.newBuilder()
            .addItemIds(100_001L)
            .addKinds(ItemKind.ITEM_KIND_PRODUCT)
            .addScores(1)
            .build();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                RankServiceGrpc.newBlockingStub(cluster.channels.get(2))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .rank(
                        RankRequest.newBuilder()
                            .setCandidates(one)
                            .setContext(
                                RequestContext.newBuilder()
                                    .putModelVersions("rank", "rank-that-never-was"))
                            .build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("context.model_versions[rank]"),
        e.getStatus().getDescription());
  }
}
