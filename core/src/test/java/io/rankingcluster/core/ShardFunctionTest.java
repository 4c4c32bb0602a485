package io.rankingcluster.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Test vectors were computed outside Java with a Python 3 implementation of the SplitMix64
 * finaliser (arbitrary-precision ints masked to 64 bits after every multiply):
 *
 * <pre>
 * M = (1 &lt;&lt; 64) - 1
 * def mix64(z):
 *     z &amp;= M
 *     z = ((z ^ (z &gt;&gt; 30)) * 0xbf58476d1ce4e5b9) &amp; M
 *     z = ((z ^ (z &gt;&gt; 27)) * 0x94d049bb133111eb) &amp; M
 *     return (z ^ (z &gt;&gt; 31)) &amp; M
 * shardOf(id, n) = mix64(id) % n
 * </pre>
 */
class ShardFunctionTest {
  /**
   * SplittableRandom's seed increment: new SplittableRandom(s).nextLong() == mix64(s +
   * GOLDEN_GAMMA).
   */
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  @Test
  void mix64_knownInputs_matchIndependentlyComputedVectors() {
    assertEquals(0L, ShardFunction.mix64(0));
    assertEquals(0x5692161d100b05e5L, ShardFunction.mix64(1));
    assertEquals(0xa759ea27d4727622L, ShardFunction.mix64(42));
    assertEquals(0x4db6630b5bd56a28L, ShardFunction.mix64(12345678901L));
    assertEquals(0xb4d055fcf2cbbd7bL, ShardFunction.mix64(-1L));
  }

  @Test
  void shardOf_knownInputs_matchIndependentlyComputedVectors() {
    assertEquals(1, ShardFunction.shardOf(1, 4));
    assertEquals(2, ShardFunction.shardOf(42, 8));
    assertEquals(8, ShardFunction.shardOf(12345678901L, 16));
    // mix64(-1) is negative as a signed long: the remainder must be unsigned (0xb4d0...7b mod 7 =
    // 0).
    assertEquals(0, ShardFunction.shardOf(-1L, 7));
  }

  @Test
  void mix64_randomInputs_agreesWithJdkSplittableRandomFinaliser() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long x = rnd.nextLong();
      assertEquals(
          new SplittableRandom(x - GOLDEN_GAMMA).nextLong(), ShardFunction.mix64(x), "x=" + x);
    }
  }

  @Test
  void shardOf_anyIdAndShardCount_landsInRange() {
    SplittableRandom rnd = new SplittableRandom(11);
    int[] counts = {1, 2, 3, 7, 8, 16, 1000, Integer.MAX_VALUE};
    long[] edgeIds = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};
    for (int n : counts) {
      for (long id : edgeIds) {
        int s = ShardFunction.shardOf(id, n);
        assertTrue(s >= 0 && s < n, "shardOf(" + id + ", " + n + ") = " + s);
      }
      for (int i = 0; i < 20_000; i++) {
        long id = rnd.nextLong();
        int s = ShardFunction.shardOf(id, n);
        assertTrue(s >= 0 && s < n, "shardOf(" + id + ", " + n + ") = " + s);
      }
    }
  }

  @Test
  void shardOf_oneShard_alwaysZero() {
    for (long id = -1000; id < 1000; id++) {
      assertEquals(0, ShardFunction.shardOf(id, 1));
    }
  }

  @Test
  void shardOf_100kSequentialIdsOverEightShards_eachShardWithinFivePercentOfEven() {
    for (long first : new long[] {0L, 100_001L}) {
      int[] perShard = new int[8];
      for (long id = first; id < first + 100_000; id++) {
        perShard[ShardFunction.shardOf(id, 8)]++;
      }
      double even = 100_000 / 8.0;
      for (int s = 0; s < 8; s++) {
        assertTrue(
            Math.abs(perShard[s] - even) <= 0.05 * even,
            "ids from "
                + first
                + ": shard "
                + s
                + " got "
                + perShard[s]
                + ", expected "
                + even
                + " +-5%");
      }
    }
  }

  @Test
  void shardOf_idsSharingLowBits_stillSpreadOverAllShards() {
    // Multiples of 1024: a plain id % 8 would put every one of them on shard 0.
    int[] perShard = new int[8];
    for (long k = 0; k < 8_000; k++) {
      perShard[ShardFunction.shardOf(k * 1024, 8)]++;
    }
    for (int s = 0; s < 8; s++) {
      assertTrue(Math.abs(perShard[s] - 1000) <= 150, "shard " + s + " got " + perShard[s]);
    }
  }

  @Test
  void shardOf_shardCountBelowOne_throwsNamingTheCount() {
    for (int n : new int[] {0, -1, Integer.MIN_VALUE}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ShardFunction.shardOf(42, n));
      assertTrue(e.getMessage().contains(Integer.toString(n)), e.getMessage());
    }
  }
}
