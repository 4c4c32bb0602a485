package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The breaker rule of a guard: a deadline the mixer missed itself (its own threads ran late) does
 * not open a stage's breaker; the same misses with a punctual mixer do, and so do the stage's own
 * errors whatever the mixer's state.
 */
class GuardTest {
  private final AtomicLong lagNanos = new AtomicLong();

  private Guard guard() {
    MixerConfig o =
        MixerConfig.parse(
            "--breaker-window=10", "--breaker-min-calls=5", "--breaker-self-lag-ms=20");
    return new Guard(
        "recall_shard_0",
        o,
        CircuitBreakerRegistry.ofDefaults(),
        BulkheadRegistry.ofDefaults(),
        lagNanos::get);
  }

  /** Up to {@code times} calls that fail with {@code code}, until the guard refuses one. */
  private static void fail(Guard g, Status.Code code, int times) {
    for (int i = 0; i < times && g.enter() == Guard.Refusal.NONE; i++) {
      g.exit(System.nanoTime(), Status.fromCode(code));
    }
  }

  @Test
  void deadlineMisses_whileTheMixerRunsLate_leaveTheBreakerClosed() {
    Guard g = guard();
    lagNanos.set(TimeUnit.MILLISECONDS.toNanos(35)); // a 5 ms timer woke 35 ms late
    fail(g, Status.Code.DEADLINE_EXCEEDED, 10);
    assertEquals(CircuitBreaker.State.CLOSED, g.state());
    assertEquals(10, g.selfInflicted());
    assertEquals(0, g.breaker.getMetrics().getNumberOfFailedCalls(), "not judged at all");
  }

  @Test
  void deadlineMisses_ofAPunctualMixer_openTheBreaker() {
    Guard g = guard();
    lagNanos.set(TimeUnit.MILLISECONDS.toNanos(2));
    fail(g, Status.Code.DEADLINE_EXCEEDED, 10);
    assertEquals(CircuitBreaker.State.OPEN, g.state());
    assertEquals(0, g.selfInflicted());
  }

  @Test
  void theStagesOwnErrors_countEvenWhileTheMixerRunsLate() {
    Guard g = guard();
    lagNanos.set(TimeUnit.MILLISECONDS.toNanos(100));
    fail(g, Status.Code.UNAVAILABLE, 10);
    assertEquals(CircuitBreaker.State.OPEN, g.state());
    assertEquals(0, g.selfInflicted());
  }

  @Test
  void zeroBound_judgesEveryMiss() {
    MixerConfig o =
        MixerConfig.parse(
            "--breaker-window=10", "--breaker-min-calls=5", "--breaker-self-lag-ms=0");
    Guard g =
        new Guard(
            "rank",
            o,
            CircuitBreakerRegistry.ofDefaults(),
            BulkheadRegistry.ofDefaults(),
            () -> TimeUnit.SECONDS.toNanos(1));
    fail(g, Status.Code.DEADLINE_EXCEEDED, 10);
    assertEquals(CircuitBreaker.State.OPEN, g.state());
  }
}
