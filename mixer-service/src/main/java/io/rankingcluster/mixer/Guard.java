package io.rankingcluster.mixer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Protection of one downstream (a stage or a recall shard): a circuit breaker and a bulkhead
 * (resilience4j), driven by hand around each gRPC call because the call outcome is a gRPC status,
 * not an exception.
 *
 * <p>The breaker counts only what says the downstream is in trouble: UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL. Any other answer (OK, INVALID_ARGUMENT,
 * NOT_FOUND...) is a success: the server answered. A call the mixer cancelled itself, or sent with
 * less than the minimum budget, is not judged at all ({@link #exitUnjudged}), so a client with a
 * tiny deadline cannot open the breaker of a healthy stage. Nor is a DEADLINE_EXCEEDED that the
 * mixer caused itself: when the mixer's own threads ran late (its {@link SelfLag} saw a wake-up at
 * least {@code --breaker-self-lag-ms} late in the last second: its CPU taken, a GC pause, its
 * queue), the stage's answer may have waited for the mixer rather than the reverse, so that miss is
 * counted apart ({@link #selfInflicted}) and leaves the breaker alone. UNAVAILABLE,
 * RESOURCE_EXHAUSTED and INTERNAL are the stage's own answers and always count. The bulkhead bounds
 * the calls in flight to the downstream without waiting: a full bulkhead refuses at once.
 */
final class Guard {
  static final Set<Status.Code> FAILURES =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.INTERNAL);
  private static final Logger LOG = Logger.getLogger(Guard.class.getName());

  /** Why a call was not sent: the degraded cause reported for it. */
  enum Refusal {
    NONE(""),
    CIRCUIT_OPEN("circuit_open"),
    BULKHEAD_FULL("bulkhead_full");

    final String cause;

    Refusal(String cause) {
      this.cause = cause;
    }
  }

  final String name;
  final CircuitBreaker breaker;
  final Bulkhead bulkhead;
  private final LongSupplier selfLagNanos;
  private final long selfLagBoundNanos;
  private final LongAdder selfInflicted = new LongAdder();

  Guard(String name, MixerConfig o, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads) {
    this(name, o, breakers, bulkheads, () -> SelfLag.shared().recentNanos());
  }

  /** With the mixer's lag from {@code selfLagNanos} (tests). */
  Guard(
      String name,
      MixerConfig o,
      CircuitBreakerRegistry breakers,
      BulkheadRegistry bulkheads,
      LongSupplier selfLagNanos) {
    this.name = name;
    this.selfLagNanos = selfLagNanos;
    this.selfLagBoundNanos = TimeUnit.MILLISECONDS.toNanos(o.breakerSelfLagMs());
    this.breaker =
        breakers.circuitBreaker(
            name,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(o.breakerWindow())
                .minimumNumberOfCalls(o.breakerMinCalls())
                .failureRateThreshold(o.breakerFailureRate())
                .waitDurationInOpenState(Duration.ofMillis(o.breakerOpenMs()))
                .permittedNumberOfCallsInHalfOpenState(o.breakerHalfOpenCalls())
                // Half-open is entered by the next call after the wait, without a timer thread per
                // breaker.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
    this.bulkhead =
        bulkheads.bulkhead(
            name,
            BulkheadConfig.custom()
                .maxConcurrentCalls(o.bulkheadMaxCalls())
                .maxWaitDuration(Duration.ZERO)
                .build());
    breaker
        .getEventPublisher()
        .onStateTransition(
            e ->
                LOG.warning(
                    () ->
                        "circuit breaker "
                            + name
                            + ": "
                            + e.getStateTransition().getFromState()
                            + " -> "
                            + e.getStateTransition().getToState()));
  }

  /**
   * Asks to send one call; on {@link Refusal#NONE} the caller must end it with one of the exit
   * methods.
   */
  Refusal enter() {
    if (!bulkhead.tryAcquirePermission()) {
      return Refusal.BULKHEAD_FULL;
    }
    if (!breaker.tryAcquirePermission()) {
      bulkhead.onComplete();
      return Refusal.CIRCUIT_OPEN;
    }
    return Refusal.NONE;
  }

  /** Ends a call that the downstream answered (or failed) with {@code status}. */
  void exit(long startNanos, Status status) {
    bulkhead.onComplete();
    long nanos = System.nanoTime() - startNanos;
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED
        && selfLagBoundNanos > 0
        && selfLagNanos.getAsLong() >= selfLagBoundNanos) {
      selfInflicted.increment();
      breaker.releasePermission(); // the mixer ran late: says nothing about the stage
    } else if (FAILURES.contains(status.getCode())) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, status.asRuntimeException());
    } else if (status.getCode() == Status.Code.CANCELLED) {
      breaker.releasePermission(); // the client went away: says nothing about the downstream
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Ends a call without judging the downstream: the mixer cancelled it, or its budget was below the
   * minimum.
   */
  void exitUnjudged() {
    bulkhead.onComplete();
    breaker.releasePermission();
  }

  /** Deadline misses left unjudged because the mixer itself ran late, since start. */
  long selfInflicted() {
    return selfInflicted.sum();
  }

  CircuitBreaker.State state() {
    return breaker.getState();
  }
}
