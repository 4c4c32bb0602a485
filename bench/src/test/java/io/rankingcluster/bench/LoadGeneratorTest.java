package io.rankingcluster.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
  @Test
  void zipf_isDeterministicForASeed_andHeavyUsersRepeat() {
    LoadGeneratorMain.Zipf z = new LoadGeneratorMain.Zipf(10_000, 1.1);
    SplittableRandom a = new SplittableRandom(3);
    SplittableRandom b = new SplittableRandom(3);
    int top10 = 0;
    for (int i = 0; i < 20_000; i++) {
      int x = z.sample(a);
      assertEquals(x, z.sample(b));
      assertTrue(x >= 1 && x <= 10_000);
      top10 += x <= 10 ? 1 : 0;
    }
    assertTrue(
        top10 > 20_000 * 0.25,
        "the 10 heaviest of 10,000 users make a quarter of the traffic: " + top10);
  }

  @Test
  void openLoopSchedule_isFixedByRate_notByWhenCallsReturn() {
    long start = 1_000_000_000L;
    assertEquals(start, LoadGeneratorMain.intendedStart(start, 0, 200));
    assertEquals(start + 5_000_000L, LoadGeneratorMain.intendedStart(start, 1, 200));
    assertEquals(
        start + 1_000_000_000L,
        LoadGeneratorMain.intendedStart(start, 200, 200),
        "request 200 is due after 1 s");
  }
}
