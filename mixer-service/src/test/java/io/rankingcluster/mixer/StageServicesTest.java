package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The stages chained by hand through their own stubs, as another team's client would: recall ->
 * prerank -> rank.
 */
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
}
