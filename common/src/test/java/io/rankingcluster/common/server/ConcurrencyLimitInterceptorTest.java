package io.rankingcluster.common.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The adaptive limit: slow calls (against their own deadline) lower it, fast ones raise it back to
 * the ceiling.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrencyLimitInterceptorTest {
  /**
   * How long the handler works per call, ms: the test's stand-in for a server queueing for the CPU.
   */
  private final AtomicLong workMs = new AtomicLong();

  private Server server;
  private ManagedChannel channel;

  private ConcurrencyLimitInterceptor start(int ceiling, double share) throws Exception {
    ConcurrencyLimitInterceptor limiter = new ConcurrencyLimitInterceptor(ceiling, share, 2);
    String name = "limit-" + System.nanoTime();
    HealthGrpc.HealthImplBase health =
        new HealthGrpc.HealthImplBase() {
          @Override
          public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
            try {
              TimeUnit.MILLISECONDS.sleep(
                  workMs.get()); // the work of the call, not a wait for a state
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            out.onNext(HealthCheckResponse.getDefaultInstance());
            out.onCompleted();
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(health, limiter))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    return limiter;
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private void call(long deadlineMs) {
    HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
  }

  @Test
  void slowCalls_lowerTheLimit_fastCalls_raiseItBackToTheCeiling() throws Exception {
    // Slow means longer than 2% of the call's own deadline: 40 ms of work against 20 ms (of 1 s) is
    // slow, and
    // no deadline comes near (a loaded machine must not turn the test into a race with the
    // deadline).
    ConcurrencyLimitInterceptor limiter = start(8, 0.02);
    assertEquals(8, limiter.limit());
    workMs.set(40);
    for (int i = 0; i < 25; i++) {
      call(1_000);
    }
    assertEquals(2, limiter.limit(), "25 slow calls took the limit from 8 to its floor of 2");
    workMs.set(0); // against 2% of 10 s, 200 ms: every call is fast
    for (int i = 0; i < 200 && limiter.limit() < 8; i++) {
      call(10_000);
    }
    assertEquals(8, limiter.limit(), "fast calls raise it back, never above the ceiling");
  }

  @Test
  void fixedLimit_slowCallsChangeNothing_andTheExcessIsRefused() throws Exception {
    ConcurrencyLimitInterceptor limiter = start(1, 0);
    workMs.set(300);
    Thread busy = new Thread(() -> call(10_000));
    busy.start();
    await().atMost(java.time.Duration.ofSeconds(5)).until(() -> limiter.inFlight() > 0); // admitted
    StatusRuntimeException refused = null;
    try {
      call(10_000);
    } catch (StatusRuntimeException e) {
      refused = e;
    }
    busy.join(10_000);
    assertTrue(
        refused != null && refused.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED,
        "the second call beyond the limit of 1 is refused: " + refused);
    assertEquals(1, limiter.limit());
  }
}
