package io.rankingcluster.core;

/**
 * Places items on recall shards: {@code shard = Long.remainderUnsigned(mix64(itemId), shardCount)}.
 *
 * <p>{@link #mix64} is the finaliser of SplitMix64 (Steele, Lea and Flood, 2014; the same constants
 * as {@code java.util.SplittableRandom}), so a Spark or Python job can place items identically:
 *
 * <pre>
 * z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9
 * z = (z ^ (z >>> 27)) * 0x94d049bb133111eb
 * z =  z ^ (z >>> 31)            (all arithmetic modulo 2^64, >>> is the unsigned shift)
 * </pre>
 *
 * Test vectors (computed independently with a Python implementation of the formula above and
 * asserted in ShardFunctionTest): mix64(0) = 0, mix64(1) = 0x5692161d100b05e5, mix64(42) =
 * 0xa759ea27d4727622, mix64(12345678901) = 0x4db6630b5bd56a28; shardOf(1, 4) = 1, shardOf(42, 8) =
 * 2, shardOf(12345678901, 16) = 8. Mixing first keeps shards balanced when ids are sequential or
 * share low bits.
 */
public final class ShardFunction {
  private ShardFunction() {}

  /** The SplitMix64 finaliser: a bijection on 64-bit values with good avalanche. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The shard in {@code [0, shardCount)} that owns {@code itemId}. */
  public static int shardOf(long itemId, int shardCount) {
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be >= 1, was " + shardCount);
    }
    return (int) Long.remainderUnsigned(mix64(itemId), shardCount);
  }
}
