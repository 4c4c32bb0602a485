package io.rankingcluster.core.eval;

import java.util.Arrays;

/**
 * Ranking and prediction quality metrics, shared by offline evaluation and tests. Lists are ranked
 * item ids (best first); relevant sets are given as sorted id arrays for allocation-free membership
 * tests.
 */
public final class Metrics {
  private Metrics() {}

  /** Sorted copy, for the {@code relevant} arguments below. */
  public static long[] sortedSet(long[] ids) {
    long[] s = ids.clone();
    Arrays.sort(s);
    return s;
  }

  private static boolean contains(long[] sortedRelevant, long id) {
    return Arrays.binarySearch(sortedRelevant, id) >= 0;
  }

  /** Share of the relevant items found in the first k of the list (0 when nothing is relevant). */
  public static double recallAtK(long[] ranked, long[] sortedRelevant, int k) {
    if (sortedRelevant.length == 0) {
      return 0;
    }
    return hitsAtK(ranked, sortedRelevant, k) / (double) sortedRelevant.length;
  }

  /** 1 when any relevant item is in the first k, else 0 (hit rate for one user). */
  public static double hitRateAtK(long[] ranked, long[] sortedRelevant, int k) {
    return hitsAtK(ranked, sortedRelevant, k) > 0 ? 1 : 0;
  }

  private static int hitsAtK(long[] ranked, long[] sortedRelevant, int k) {
    int hits = 0;
    for (int i = 0; i < Math.min(k, ranked.length); i++) {
      if (contains(sortedRelevant, ranked[i])) {
        hits++;
      }
    }
    return hits;
  }

  /** Reciprocal rank of the first relevant item (0 when none is in the list). */
  public static double reciprocalRank(long[] ranked, long[] sortedRelevant) {
    for (int i = 0; i < ranked.length; i++) {
      if (contains(sortedRelevant, ranked[i])) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  /** NDCG@k with binary relevance: DCG of the list over the DCG of an ideal list. */
  public static double ndcgAtK(long[] ranked, long[] sortedRelevant, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.length); i++) {
      if (contains(sortedRelevant, ranked[i])) {
        dcg += 1 / log2(i + 2);
      }
    }
    double ideal = 0;
    for (int i = 0; i < Math.min(k, sortedRelevant.length); i++) {
      ideal += 1 / log2(i + 2);
    }
    return ideal == 0 ? 0 : dcg / ideal;
  }

  /**
   * NDCG@k with graded relevance: {@code gains[i]} is the gain of the list's i-th item and {@code
   * idealGains} the best achievable gains (any order; the top k are used). Linear gains.
   */
  public static double ndcgAtK(double[] gains, double[] idealGains, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, gains.length); i++) {
      dcg += gains[i] / log2(i + 2);
    }
    double[] ideal = idealGains.clone();
    Arrays.sort(ideal);
    double idcg = 0;
    for (int i = 0; i < Math.min(k, ideal.length); i++) {
      idcg += ideal[ideal.length - 1 - i] / log2(i + 2);
    }
    return idcg <= 0 ? 0 : dcg / idcg;
  }

  /**
   * Area under the ROC curve: the probability that a random positive scores above a random
   * negative, ties counting half (rank-sum formulation, O(n log n)). NaN when one class is missing.
   */
  public static double auc(float[] scores, boolean[] labels) {
    int n = scores.length;
    int[] order = io.rankingcluster.core.Order.byScoreDescending(scores, n);
    // Walk from the lowest score up, assigning average ranks to ties.
    double rankSumPositives = 0;
    long positives = 0;
    int i = n - 1;
    int rank = 1;
    while (i >= 0) {
      int j = i;
      while (j - 1 >= 0 && scores[order[j - 1]] == scores[order[i]]) {
        j--;
      }
      int tieCount = i - j + 1;
      double averageRank = rank + (tieCount - 1) / 2.0;
      for (int t = j; t <= i; t++) {
        if (labels[order[t]]) {
          rankSumPositives += averageRank;
          positives++;
        }
      }
      rank += tieCount;
      i = j - 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositives - positives * (positives + 1) / 2.0)
        / ((double) positives * negatives);
  }

  /** Mean binary cross-entropy, with probabilities clipped to [1e-7, 1 - 1e-7]. */
  public static double logLoss(float[] p, boolean[] labels) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      double q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
      sum -= labels[i] ? Math.log(q) : Math.log(1 - q);
    }
    return p.length == 0 ? 0 : sum / p.length;
  }

  /**
   * Expected calibration error over {@code bins} equal-width probability bins: the count-weighted
   * mean of |mean predicted - observed rate| per bin.
   */
  public static double ece(float[] p, boolean[] labels, int bins) {
    double[] predicted = new double[bins];
    double[] observed = new double[bins];
    int[] count = new int[bins];
    for (int i = 0; i < p.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) (p[i] * bins)));
      predicted[b] += p[i];
      observed[b] += labels[i] ? 1 : 0;
      count[b]++;
    }
    double e = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        e += Math.abs(predicted[b] - observed[b]) / p.length;
      }
    }
    return p.length == 0 ? 0 : e;
  }

  /**
   * Share of the oracle's expected value reached: {@code sum(values) / sum(oracleValues)}, both
   * lists of per-slot expected values (already weighted by their positions).
   */
  public static double oracleShare(double[] values, double[] oracleValues) {
    double a = 0;
    double b = 0;
    for (double v : values) {
      a += v;
    }
    for (double v : oracleValues) {
      b += v;
    }
    return b <= 0 ? 0 : a / b;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
