package io.rankingcluster.core.catalog;

import java.util.Arrays;

/**
 * An immutable map from item id to its row in a column store, by open addressing over primitive
 * arrays. Lookups allocate nothing; this sits on every hot path that turns an id into features.
 */
public final class LongIndex {
  private static final int ABSENT = -1;
  private final long[] keys;
  private final int[] rows;
  private final int mask;

  /** Indexes {@code ids[i] -> i}; ids must be distinct (a duplicate throws naming it). */
  public LongIndex(long[] ids) {
    int capacity = Integer.highestOneBit(Math.max(4, ids.length * 2 - 1)) << 1;
    keys = new long[capacity];
    rows = new int[capacity];
    Arrays.fill(rows, ABSENT);
    mask = capacity - 1;
    for (int i = 0; i < ids.length; i++) {
      int slot = slot(ids[i]);
      while (rows[slot] != ABSENT) {
        if (keys[slot] == ids[i]) {
          throw new IllegalArgumentException("duplicate item id " + Long.toUnsignedString(ids[i]));
        }
        slot = (slot + 1) & mask;
      }
      keys[slot] = ids[i];
      rows[slot] = i;
    }
  }

  /** The row of {@code id}, or -1 when absent. */
  public int rowOf(long id) {
    int slot = slot(id);
    while (true) {
      int row = rows[slot];
      if (row == ABSENT || keys[slot] == id) {
        return row;
      }
      slot = (slot + 1) & mask;
    }
  }

  private int slot(long id) {
    return (int) io.rankingcluster.core.ShardFunction.mix64(id) & mask;
  }
}
