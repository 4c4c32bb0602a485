package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mixer's own server sheds load beyond its concurrency limit instead of queueing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SheddingTest {
  @Test
  void recommend_beyondConcurrencyLimit_resourceExhaustedAtOnce_andServesAgainAfter()
      throws Exception {
    try (TestCluster c = TestCluster.builder().mixerServer("--max-concurrent-calls=2").start()) {
      // Two requests hold the mixer: rank is slow, and they wait for it within their budget.
      c.rankFaults.set("*", FaultInjector.Rule.delay(60_000));
      RecommendRequest req =
          RecommendRequest.newBuilder()
              .setContext(RequestContext.newBuilder().setUserId("7"))
              .build();
      MixerServiceGrpc.MixerServiceFutureStub async =
          MixerServiceGrpc.newFutureStub(c.mixerChannel);
      List<ListenableFuture<RecommendResponse>> held =
          List.of(
              async.withDeadlineAfter(4, TimeUnit.SECONDS).recommend(req),
              async.withDeadlineAfter(4, TimeUnit.SECONDS).recommend(req));
      await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> c.rankFaults.delayedCalls() >= 2);
      assertEquals(2, c.rankFaults.delayedCalls(), "both held requests reached rank");

      long t0 = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> c.mixerStub().withDeadlineAfter(10, TimeUnit.SECONDS).recommend(req));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(ms < 1_000, "shed at once, not queued: " + ms + " ms");

      c.rankFaults.clearAll();
      for (ListenableFuture<RecommendResponse> f : held) {
        assertEquals(
            "rank",
            f.get(10, TimeUnit.SECONDS).getDegradedReasons(0).getStage(),
            "held ones degrade, not fail");
      }
      // Capacity returns once the held calls are done: the server counts a call done just after the
      // client has its
      // answer, so poll with a bound.
      RecommendResponse after =
          await()
              .atMost(java.time.Duration.ofSeconds(10))
              .ignoreExceptionsMatching(
                  x ->
                      x instanceof StatusRuntimeException s
                          && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED)
              .until(
                  () -> c.mixerStub().withDeadlineAfter(10, TimeUnit.SECONDS).recommend(req),
                  java.util.Objects::nonNull);
      assertEquals(
          20, after == null ? 0 : after.getItemsCount(), "serves again after the held calls");
    }
  }
}
