package io.rankingcluster.offline;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.offline.world.EventLog;

/**
 * Item-to-item neighbours from co-clicks: within each user's click sequence, every pair of clicks
 * at most {@code window} clicks apart adds {@code exp(-gap / tau) / log2(2 + clicks of the user)}
 * to the pair (a time decay, and a damping of heavy users as in Swing and IUF weighting); a pair's
 * sum is divided by {@code sqrt(clicks(a) * clicks(b))} so that popular items do not neighbour
 * everything. The best {@code perItem} neighbours of each item are kept.
 */
public final class ItemToItemBuilder {
  private ItemToItemBuilder() {}

  /** Settings: window in clicks, decay constant in seconds, neighbours kept per item. */
  public record Config(int window, double tauSeconds, int perItem) {
    public static final Config DEFAULT = new Config(10, 2 * 86_400, 30);
  }

  /** Neighbours aligned with catalog rows, from clicks with {@code time < untilSec}. */
  public static ItemNeighbours build(
      EventLog log, Catalog catalog, int users, int untilSec, Config config) {
    int end = log.firstAtOrAfter(untilSec);
    // Each user's clicks in time order, as CSR.
    int[] perUser = new int[users + 1];
    int[] itemClicks = new int[catalog.size()];
    for (int e = 0; e < end; e++) {
      if (log.clicked(e)) {
        perUser[log.user(e) + 1]++;
        itemClicks[log.item(e)]++;
      }
    }
    for (int u = 0; u < users; u++) {
      perUser[u + 1] += perUser[u];
    }
    int[] seqItem = new int[perUser[users]];
    int[] seqTime = new int[perUser[users]];
    int[] fill = java.util.Arrays.copyOf(perUser, users);
    for (int e = 0; e < end; e++) {
      if (log.clicked(e)) {
        int at = fill[log.user(e)]++;
        seqItem[at] = log.item(e);
        seqTime[at] = log.timeSec(e);
      }
    }
    // Count directed pair entries per source row, then fill them grouped by source (counting sort).
    int[] pairOffsets = new int[catalog.size() + 1];
    for (int u = 0; u < users; u++) {
      for (int i = perUser[u]; i < perUser[u + 1]; i++) {
        for (int j = Math.max(perUser[u], i - config.window()); j < i; j++) {
          if (seqItem[i] != seqItem[j]) {
            pairOffsets[seqItem[i] + 1]++;
            pairOffsets[seqItem[j] + 1]++;
          }
        }
      }
    }
    for (int r = 0; r < catalog.size(); r++) {
      pairOffsets[r + 1] += pairOffsets[r];
    }
    int[] pairTarget = new int[pairOffsets[catalog.size()]];
    float[] pairWeight = new float[pairTarget.length];
    int[] pairFill = java.util.Arrays.copyOf(pairOffsets, catalog.size());
    for (int u = 0; u < users; u++) {
      int n = perUser[u + 1] - perUser[u];
      double damp = 1 / (Math.log(2 + n) / Math.log(2));
      for (int i = perUser[u]; i < perUser[u + 1]; i++) {
        for (int j = Math.max(perUser[u], i - config.window()); j < i; j++) {
          int a = seqItem[i];
          int b = seqItem[j];
          if (a == b) {
            continue;
          }
          float w = (float) (damp * Math.exp(-(seqTime[i] - seqTime[j]) / config.tauSeconds()));
          int at = pairFill[a]++;
          pairTarget[at] = b;
          pairWeight[at] = w;
          at = pairFill[b]++;
          pairTarget[at] = a;
          pairWeight[at] = w;
        }
      }
    }
    // Per source: sum weights by target (sort the segment by target), normalise, keep the best.
    int[] offsets = new int[catalog.size() + 1];
    long[] ids = new long[Math.min(pairTarget.length, catalog.size() * config.perItem())];
    float[] weights = new float[ids.length];
    int out = 0;
    for (int a = 0; a < catalog.size(); a++) {
      int from = pairOffsets[a];
      int to = pairOffsets[a + 1];
      int len = to - from;
      if (len > 0) {
        long[] keys = new long[len];
        for (int k = 0; k < len; k++) {
          keys[k] = ((long) pairTarget[from + k] << 32) | k;
        }
        java.util.Arrays.sort(keys);
        int[] targets = new int[len];
        float[] sums = new float[len];
        int m = -1;
        int prev = -1;
        for (long key : keys) {
          int b = (int) (key >>> 32);
          if (b != prev) {
            m++;
            targets[m] = b;
            prev = b;
          }
          sums[m] += pairWeight[from + (int) key];
        }
        m++;
        for (int k = 0; k < m; k++) {
          sums[k] /= (float) Math.sqrt((double) itemClicks[a] * itemClicks[targets[k]]);
        }
        int[] order = io.rankingcluster.core.Order.byScoreDescending(sums, m);
        int keep = Math.min(m, config.perItem());
        for (int k = 0; k < keep; k++) {
          ids[out] = catalog.ids[targets[order[k]]];
          weights[out] = sums[order[k]];
          out++;
        }
      }
      offsets[a + 1] = out;
    }
    return new ItemNeighbours(
        offsets, java.util.Arrays.copyOf(ids, out), java.util.Arrays.copyOf(weights, out));
  }
}
