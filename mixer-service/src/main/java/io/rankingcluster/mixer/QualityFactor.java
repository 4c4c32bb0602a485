package io.rankingcluster.mixer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The share of the full candidate counts the mixer asks for now (recall quotas and rank's input):
 * 1.0 below capacity; when requests near their deadline it shrinks, and it recovers when latency
 * falls, so that overload costs a little quality before it costs errors (X's home-mixer calls this
 * its quality factor).
 *
 * <p>The signal is each request's latency as a share of the time it had (its deadline when it
 * started). Once per window the controller looks at the requests of the window: when more than 5%
 * of them (so the p95) used at least {@code --quality-latency-share} of their time, the factor is
 * multiplied by 0.8; when under 1% did, it grows by 0.05 (multiplicative decrease, additive
 * increase: it falls fast when the tail reaches the deadline and comes back in steps, without
 * oscillating between full and minimum). It never goes below {@code --quality-min-factor}. A window
 * with no request leaves it where it is; at a low, steady rate far from the deadline it stays 1.0.
 */
final class QualityFactor {
  /** Share of a window's requests that may be slow before the factor shrinks (the p95). */
  static final double SHRINK_WHEN_SLOW_SHARE = 0.05;

  /** Share under which the factor recovers (the p99 is fast again). */
  static final double RECOVER_WHEN_SLOW_SHARE = 0.01;

  static final double DECREASE = 0.8;
  static final double INCREASE = 0.05;

  private final double latencyShare;
  private final double minFactor;
  private final long windowNanos;
  private final LongSupplier clock;
  private final LongAdder seen = new LongAdder();
  private final LongAdder slow = new LongAdder();
  private final AtomicLong windowStart;
  private final LongAdder shrinks = new LongAdder();
  private volatile double factor = 1.0;

  QualityFactor(double latencyShare, double minFactor, long windowMs) {
    this(latencyShare, minFactor, windowMs, System::nanoTime);
  }

  /** With its own clock (tests). */
  QualityFactor(double latencyShare, double minFactor, long windowMs, LongSupplier clock) {
    if (!(latencyShare > 0 && latencyShare <= 1)) {
      throw new IllegalArgumentException("latency share must be in (0, 1], was " + latencyShare);
    }
    if (!(minFactor > 0 && minFactor <= 1)) {
      throw new IllegalArgumentException("min factor must be in (0, 1], was " + minFactor);
    }
    this.latencyShare = latencyShare;
    this.minFactor = minFactor;
    this.windowNanos = windowMs * 1_000_000L;
    this.clock = clock;
    this.windowStart = new AtomicLong(clock.getAsLong());
  }

  /** The factor for a request starting now, in [min factor, 1]. */
  double factor() {
    roll(clock.getAsLong());
    return factor;
  }

  /**
   * One finished request (answered or failed): it took {@code elapsedNanos} of the {@code hadNanos}
   * its deadline gave it when it started.
   */
  void observe(long elapsedNanos, long hadNanos) {
    long now = clock.getAsLong();
    roll(now);
    seen.increment();
    if (hadNanos <= 0 || elapsedNanos >= latencyShare * hadNanos) {
      slow.increment();
    }
  }

  /** How many windows shrank the factor since start (metrics). */
  long shrinks() {
    return shrinks.sum();
  }

  /** Closes the window when it is over: one thread wins the swap and judges it. */
  private void roll(long now) {
    long start = windowStart.get();
    if (now - start < windowNanos || !windowStart.compareAndSet(start, now)) {
      return;
    }
    long n = seen.sumThenReset();
    long k = slow.sumThenReset();
    if (n == 0) {
      return;
    }
    double slowShare = (double) k / n;
    double f = factor;
    if (slowShare > SHRINK_WHEN_SLOW_SHARE) {
      f = Math.max(minFactor, f * DECREASE);
      shrinks.increment();
    } else if (slowShare < RECOVER_WHEN_SLOW_SHARE) {
      // Snap to exactly 1 so that a recovered mixer's pages are whole, not 0.9999999 of it.
      f = f + INCREASE >= 1.0 - 1e-9 ? 1.0 : f + INCREASE;
    }
    factor = f;
  }

  /** {@code full} scaled by the factor, at least {@code floor}. */
  static int scaled(int full, double factor, int floor) {
    return Math.max(floor, (int) Math.ceil(full * factor));
  }
}
