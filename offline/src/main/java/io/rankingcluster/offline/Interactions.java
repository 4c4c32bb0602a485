package io.rankingcluster.offline;

import io.rankingcluster.offline.world.EventLog;

/**
 * User-item click counts in compressed sparse rows, both ways (by user and by item), built from a
 * window of the event log: the input of the embedding trainer and of evaluation.
 */
public final class Interactions {
  public final int users;
  public final int items;
  public final int[] userOffsets;
  public final int[] userItems;
  public final float[] userCounts;
  public final int[] itemOffsets;
  public final int[] itemUsers;
  public final float[] itemCounts;

  private Interactions(
      int users, int items, int[] uo, int[] ui, float[] uc, int[] io, int[] iu, float[] ic) {
    this.users = users;
    this.items = items;
    userOffsets = uo;
    userItems = ui;
    userCounts = uc;
    itemOffsets = io;
    itemUsers = iu;
    itemCounts = ic;
  }

  /** Clicks with {@code fromSec <= time < untilSec}, counted per (user, item). */
  public static Interactions clicks(EventLog log, int users, int items, int fromSec, int untilSec) {
    int from = log.firstAtOrAfter(fromSec);
    int until = log.firstAtOrAfter(untilSec);
    // Pack (user, item) into one long, sort, and run-length count: no per-pair objects.
    int n = 0;
    for (int e = from; e < until; e++) {
      if (log.clicked(e)) {
        n++;
      }
    }
    long[] pairs = new long[n];
    n = 0;
    for (int e = from; e < until; e++) {
      if (log.clicked(e)) {
        pairs[n++] = ((long) log.user(e) << 32) | log.item(e);
      }
    }
    return fromPairs(users, items, pairs);
  }

  /**
   * Counts from (user, item) pairs packed as {@code user << 32 | item}, one per interaction
   * (repeats add up). Any source can feed this: the demo log, a real dataset, a test.
   */
  public static Interactions fromPairs(int users, int items, long[] pairs) {
    pairs = pairs.clone();
    int n = pairs.length;
    java.util.Arrays.sort(pairs);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || pairs[i] != pairs[i - 1]) {
        distinct++;
      }
    }
    int[] uo = new int[users + 1];
    int[] ui = new int[distinct];
    float[] uc = new float[distinct];
    int j = -1;
    for (int i = 0; i < n; i++) {
      if (i == 0 || pairs[i] != pairs[i - 1]) {
        j++;
        int u = (int) (pairs[i] >>> 32);
        ui[j] = (int) pairs[i];
        uo[u + 1]++;
      }
      uc[j]++;
    }
    for (int u = 0; u < users; u++) {
      uo[u + 1] += uo[u];
    }
    // Transpose.
    int[] io = new int[items + 1];
    for (int k = 0; k < distinct; k++) {
      io[ui[k] + 1]++;
    }
    for (int i = 0; i < items; i++) {
      io[i + 1] += io[i];
    }
    int[] fill = java.util.Arrays.copyOf(io, items);
    int[] iu = new int[distinct];
    float[] ic = new float[distinct];
    for (int u = 0; u < users; u++) {
      for (int k = uo[u]; k < uo[u + 1]; k++) {
        int at = fill[ui[k]]++;
        iu[at] = u;
        ic[at] = uc[k];
      }
    }
    return new Interactions(users, items, uo, ui, uc, io, iu, ic);
  }

  public int nonZeros() {
    return userItems.length;
  }
}
