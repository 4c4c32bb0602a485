package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The quality factor's controller on a clock the test moves: cause (latency share) and effect. */
class QualityFactorTest {
  private static final long WINDOW_MS = 100;
  private static final long DEADLINE = TimeUnit.MILLISECONDS.toNanos(200);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final QualityFactor q = new QualityFactor(0.5, 0.3, WINDOW_MS, now::get);

  /** One window of {@code n} requests, {@code slow} of them at 60% of their deadline. */
  private double window(int n, int slow) {
    for (int i = 0; i < n; i++) {
      q.observe(i < slow ? (long) (DEADLINE * 0.6) : (long) (DEADLINE * 0.1), DEADLINE);
    }
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(WINDOW_MS));
    return q.factor();
  }

  @Test
  void fastRequests_keepTheFactorAtOne() {
    for (int w = 0; w < 20; w++) {
      assertEquals(1.0, window(50, 0));
    }
    // 4% slow is within the p95: no change either.
    assertEquals(1.0, window(100, 4));
    assertEquals(0, q.shrinks());
  }

  @Test
  void slowTail_shrinksByAFifthPerWindow_downToTheMinimum() {
    assertEquals(0.8, window(100, 10), 1e-9);
    assertEquals(0.64, window(100, 10), 1e-9);
    for (int w = 0; w < 20; w++) {
      window(100, 50);
    }
    assertEquals(0.3, q.factor(), 1e-9, "never below --quality-min-factor");
    assertTrue(q.shrinks() >= 3);
  }

  @Test
  void recovery_raisesTheFactorInSteps_onlyOnceTheTailIsFast() {
    window(100, 50);
    window(100, 50);
    double low = window(100, 50);
    assertEquals(0.512, low, 1e-9);
    // Between 1% and 5% slow: hold.
    assertEquals(low, window(100, 3), 1e-9);
    assertEquals(low + 0.05, window(100, 0), 1e-9);
    double f = q.factor();
    for (int w = 0; w < 30; w++) {
      f = window(100, 0);
    }
    assertEquals(1.0, f, 1e-9, "back to the full counts, not beyond");
  }

  @Test
  void failedRequestsAndRequestsWithoutTime_countAsSlow() {
    for (int i = 0; i < 10; i++) {
      q.observe(1, 0); // no time left when it started: at the deadline already
    }
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(WINDOW_MS));
    assertEquals(0.8, q.factor(), 1e-9);
  }

  @Test
  void aWindowWithoutRequests_changesNothing() {
    window(100, 50);
    assertEquals(0.8, window(0, 0), 1e-9);
  }

  @Test
  void scaled_roundsUpAndKeepsTheFloor() {
    assertEquals(200, QualityFactor.scaled(200, 1.0, 20));
    assertEquals(60, QualityFactor.scaled(200, 0.3, 20));
    assertEquals(20, QualityFactor.scaled(40, 0.3, 20));
  }
}
