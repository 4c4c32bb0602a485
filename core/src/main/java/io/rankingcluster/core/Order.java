package io.rankingcluster.core;

import java.util.Arrays;

/** Sorting helpers for the hot path: primitive keys, no boxing, deterministic tie-breaks. */
public final class Order {
  private Order() {}

  /**
   * Indexes {@code 0..n-1} ordered by score, highest first; equal scores keep index order. NaN
   * sorts last. Packs (score, index) into one long per entry and sorts the longs.
   */
  public static int[] byScoreDescending(float[] scores, int n) {
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) descendingKey(scores[i]) << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }

  /** An int that sorts ascending where the floats sort descending (total order, NaN last). */
  static int descendingKey(float f) {
    if (Float.isNaN(f)) {
      return Integer.MAX_VALUE;
    }
    int bits = Float.floatToIntBits(f == 0f ? 0f : f); // -0 == 0
    int ascending = bits >= 0 ? bits : bits ^ Integer.MAX_VALUE; // negative floats order reversed
    return ~ascending;
  }
}
