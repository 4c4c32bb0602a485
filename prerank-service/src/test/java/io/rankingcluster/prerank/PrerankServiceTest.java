package io.rankingcluster.prerank;

import static io.rankingcluster.common.testing.GrpcAssertions.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.offline.testing.TestWorlds;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prerank RPC over the test world, through its own stub: the cut per kind, and bad input named.
 */
class PrerankServiceTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.start(
            "prerank",
            new PrerankServiceImpl(TestWorlds.SNAPSHOT, new int[] {250, 110, 40}, 2000, 20000));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static PrerankServiceGrpc.PrerankServiceBlockingStub prerank() {
    return PrerankServiceGrpc.newBlockingStub(server.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void prerank_keepsTopKPerKind_bestFirstWithinEachKind_andScoresFromTheModel() {
    var catalog = TestWorlds.SNAPSHOT.catalog();
    CandidateBlock.Builder c = CandidateBlock.newBuilder();
    for (int row = 0; row < 1500; row++) {
      c.addItemIds(catalog.ids[row])
          .addKindsValue(catalog.kinds[row])
          .addScores(0.5f)
          .addChannelMasks(1 << 3);
    }
    PrerankResponse r =
        prerank()
            .prerank(
                PrerankRequest.newBuilder()
                    .setContext(RequestContext.newBuilder().setUserId("5"))
                    .setCandidates(c)
                    .addTopKPerKind(
                        KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(30))
                    .addTopKPerKind(
                        KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_VIDEO).setLimit(10))
                    .build());
    int[] perKind = new int[4];
    float[] last = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
    for (int i = 0; i < r.getCandidates().getItemIdsCount(); i++) {
      int k = r.getCandidates().getKindsValue(i);
      perKind[k]++;
      assertTrue(r.getCandidates().getScores(i) <= last[k], "best first within kind " + k);
      last[k] = r.getCandidates().getScores(i);
    }
    assertEquals(30, perKind[1]);
    assertEquals(10, perKind[2]);
    assertTrue(perKind[3] <= 40, "live streams: the server default K");
    assertEquals(TestWorlds.SNAPSHOT.modelVersions().get("prerank"), r.getModelVersion());
    assertEquals("test-v1", r.getSnapshotVersion());
  }

  @Test
  void prerank_modelVersionNoSnapshotShips_isNotFound() {
    var e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                prerank()
                    .prerank(
                        PrerankRequest.newBuilder()
                            .setContext(
                                RequestContext.newBuilder()
                                    .putModelVersions("prerank", "no-such-model"))
                            .setCandidates(
                                CandidateBlock.newBuilder()
                                    .addItemIds(100_001L)
                                    .addKinds(ItemKind.ITEM_KIND_PRODUCT)
                                    .addScores(1))
                            .build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        e.getStatus().getDescription().contains("no-such-model"), e.getStatus().getDescription());
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
}
