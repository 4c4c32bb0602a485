package io.rankingcluster.core.world;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import java.util.SplittableRandom;

/**
 * The hidden model behind the demo world's behaviour: per user, interests over departments and leaves,
 * price sensitivity and a home country; per item, a hidden quality. The click model has a non-linear
 * interest term and an interaction between price fit and quality, so a learner over observed features
 * cannot represent it exactly. Never loaded by a service.
 */
public final class GroundTruth {
  private final CategoryTree tree;
  /** Per user: interest weight of each leaf category, summing to 1. */
  private final float[][] leafInterest;
  private final double[][] leafCdf;
  private final float[] priceSensitivity;
  private final int[] country;
  private float[] itemQuality;

  private GroundTruth(CategoryTree tree, float[][] leafInterest, float[] priceSensitivity, int[] country) {
    this.tree = tree;
    this.leafInterest = leafInterest;
    this.priceSensitivity = priceSensitivity;
    this.country = country;
    this.leafCdf = new double[leafInterest.length][];
    for (int u = 0; u < leafInterest.length; u++) {
      double[] cdf = new double[leafInterest[u].length];
      double s = 0;
      for (int c = 0; c < cdf.length; c++) {
        s += leafInterest[u][c];
        cdf[c] = s;
      }
      leafCdf[u] = cdf;
    }
  }

  static GroundTruth create(int users, CategoryTree tree, SplittableRandom rnd) {
    int leaves = tree.leafCount();
    float[][] interest = new float[users][leaves];
    float[] sensitivity = new float[users];
    int[] country = new int[users];
    for (int u = 0; u < users; u++) {
      // A mixture over one to three departments, most mass on one or two leaves of each.
      int k = 1 + rnd.nextInt(3);
      double total = 0;
      for (int j = 0; j < k; j++) {
        int dep = rnd.nextInt(tree.parentCount());
        double depWeight = 0.3 + rnd.nextDouble();
        for (int l = 0; l < tree.leavesPerParent(); l++) {
          double w = depWeight * Math.pow(rnd.nextDouble(), 2);
          interest[u][dep * tree.leavesPerParent() + l] += (float) w;
          total += w;
        }
      }
      for (int c = 0; c < leaves; c++) {
        interest[u][c] = (float) ((interest[u][c] + 0.002) / (total + 0.002 * leaves));
      }
      sensitivity[u] = (float) (0.2 + rnd.nextDouble() * 1.2);
      country[u] = rnd.nextInt(Catalog.COUNTRIES.length);
    }
    return new GroundTruth(tree, interest, sensitivity, country);
  }

  void attachItems(float[] quality) {
    this.itemQuality = quality;
  }

  int country(int user) {
    return country[user];
  }

  int sampleInterestLeaf(int user, SplittableRandom rnd) {
    double[] cdf = leafCdf[user];
    double x = rnd.nextDouble();
    int i = java.util.Arrays.binarySearch(cdf, x);
    return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
  }

  /** The user's true interest in a leaf category. */
  public float interest(int user, int leaf) {
    return leafInterest[user][leaf];
  }

  /** The item's hidden quality (standard normal). */
  public float quality(int itemRow) {
    return itemQuality[itemRow];
  }

  /** True click probability for an impression at a 1-based position. */
  public double pClick(int user, int leaf, byte kind, float price, float quality, int position) {
    double interest = leafInterest[user][leaf];
    // Saturating interest: the step from no interest to some matters more than from some to a lot.
    double logit = -3.3 + 3.0 * Math.sqrt(interest * tree.leafCount() / 4.0) / (1 + interest * 2) + 0.6 * quality;
    if (price > 0) {
      double expensive = Math.log1p(price) / 5.0;
      logit -= priceSensitivity[user] * expensive * (1.0 - 0.3 * Math.tanh(quality));
    }
    if (kind == ItemKind.VIDEO.code()) {
      logit += 0.3;
    } else if (kind == ItemKind.LIVE_STREAM.code()) {
      logit += 0.1;
    }
    // Position bias: examination falls with the slot.
    double examine = 1.0 / Math.pow(position, 0.5);
    return examine / (1 + Math.exp(-logit));
  }

  /** True purchase probability after a click. */
  public double pBuyAfterClick(int user, ItemKind kind, float price, float quality) {
    double base = kind == ItemKind.PRODUCT ? 0.12 : 0.04;
    double logit = Math.log(base / (1 - base)) + 0.5 * quality - priceSensitivity[user] * Math.log1p(price) / 6.0;
    return 1 / (1 + Math.exp(-logit));
  }

  /** Watch time after a click, in seconds (videos and live streams). */
  double watchSeconds(int user, int leaf, float quality, SplittableRandom rnd) {
    double mean = 20 * Math.exp(0.4 * quality) * (1 + 4 * leafInterest[user][leaf]);
    return -mean * Math.log(1 - rnd.nextDouble());
  }
}
