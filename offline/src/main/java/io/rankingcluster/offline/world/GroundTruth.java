package io.rankingcluster.offline.world;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.ValueFormula;
import java.util.SplittableRandom;

/**
 * The hidden model behind the demo world's behaviour. Per user: interests over leaf categories that
 * drift from a start mixture to an end mixture over the simulated period, price sensitivity, home
 * country and a preferred hour. Per item: a hidden quality. The click model has a saturating
 * interest term, a price term that interacts with quality, time-of-day effects per kind and
 * position bias, so a learner over observed features cannot represent it exactly. Never loaded by a
 * service: it exists to simulate and to judge.
 */
public final class GroundTruth {
  /** Length of the simulated period. */
  public static final int DAYS = 28;

  public static final int PERIOD_SECONDS = DAYS * 86_400;

  private final CategoryTree tree;
  private final float[][] interestStart;
  private final float[][] interestEnd;
  private final float[] priceSensitivity;
  private final int[] country;
  private final byte[] preferredHour;
  private float[] quality;
  private int[] itemLeaf;
  private byte[] itemKind;
  private float[] itemPrice;

  private GroundTruth(
      CategoryTree tree,
      float[][] start,
      float[][] end,
      float[] priceSensitivity,
      int[] country,
      byte[] preferredHour) {
    this.tree = tree;
    this.interestStart = start;
    this.interestEnd = end;
    this.priceSensitivity = priceSensitivity;
    this.country = country;
    this.preferredHour = preferredHour;
  }

  static GroundTruth create(int users, CategoryTree tree, SplittableRandom rnd) {
    int leaves = tree.leafCount();
    float[][] start = new float[users][];
    float[][] end = new float[users][];
    float[] sensitivity = new float[users];
    int[] country = new int[users];
    byte[] hour = new byte[users];
    for (int u = 0; u < users; u++) {
      start[u] = mixture(tree, 1 + rnd.nextInt(3), rnd);
      // A third of the users pick up a new department over the period: their interests drift.
      if (rnd.nextDouble() < 0.33) {
        float[] added = mixture(tree, 1, rnd);
        end[u] = new float[leaves];
        for (int c = 0; c < leaves; c++) {
          end[u][c] = 0.6f * start[u][c] + 0.4f * added[c];
        }
      } else {
        end[u] = start[u];
      }
      sensitivity[u] = (float) (0.2 + rnd.nextDouble() * 1.2);
      country[u] = rnd.nextInt(Catalog.COUNTRIES.length);
      hour[u] = (byte) (rnd.nextDouble() < 0.6 ? 18 + rnd.nextInt(5) : 7 + rnd.nextInt(11));
    }
    return new GroundTruth(tree, start, end, sensitivity, country, hour);
  }

  /** A mixture over k departments, most mass on one or two leaves of each; sums to 1. */
  private static float[] mixture(CategoryTree tree, int k, SplittableRandom rnd) {
    int leaves = tree.leafCount();
    float[] w = new float[leaves];
    double total = 0;
    for (int j = 0; j < k; j++) {
      int dep = rnd.nextInt(tree.parentCount());
      double depWeight = 0.3 + rnd.nextDouble();
      for (int l = 0; l < tree.leavesPerParent(); l++) {
        double x = depWeight * Math.pow(rnd.nextDouble(), 2);
        w[dep * tree.leavesPerParent() + l] += (float) x;
        total += x;
      }
    }
    for (int c = 0; c < leaves; c++) {
      w[c] = (float) ((w[c] + 0.002) / (total + 0.002 * leaves));
    }
    return w;
  }

  void attachItems(float[] quality, int[] leaf, byte[] kind, float[] price) {
    this.quality = quality;
    this.itemLeaf = leaf;
    this.itemKind = kind;
    this.itemPrice = price;
  }

  public int users() {
    return country.length;
  }

  public int country(int user) {
    return country[user];
  }

  int preferredHour(int user) {
    return preferredHour[user];
  }

  /** The user's true interest in a leaf category at a time (seconds since the world's start). */
  public float interest(int user, int leaf, int timeSec) {
    float f = Math.min(1f, Math.max(0f, timeSec / (float) PERIOD_SECONDS));
    return (1 - f) * interestStart[user][leaf] + f * interestEnd[user][leaf];
  }

  /** Samples a leaf from the user's interests at a time. */
  int sampleInterestLeaf(int user, int timeSec, SplittableRandom rnd) {
    float f = Math.min(1f, Math.max(0f, timeSec / (float) PERIOD_SECONDS));
    float[] w = rnd.nextDouble() < f ? interestEnd[user] : interestStart[user];
    double x = rnd.nextDouble();
    double s = 0;
    for (int c = 0; c < w.length; c++) {
      s += w[c];
      if (x < s) {
        return c;
      }
    }
    return w.length - 1;
  }

  /** The item's hidden quality (standard normal). */
  public float quality(int itemRow) {
    return quality[itemRow];
  }

  /**
   * True click (for live streams: entry) probability for an impression at a 1-based position and
   * time.
   */
  public double pClick(int user, int itemRow, int position, int timeSec) {
    int leaf = itemLeaf[itemRow];
    double interest = interest(user, leaf, timeSec);
    double q = quality[itemRow];
    // Saturating interest: the step from no interest to some matters more than from some to a lot.
    double logit =
        -2.6 + 3.0 * Math.sqrt(interest * tree.leafCount() / 4.0) / (1 + interest * 2) + 0.6 * q;
    float price = itemPrice[itemRow];
    if (price > 0) {
      double expensive = Math.log1p(price) / 5.0;
      logit -= priceSensitivity[user] * expensive * (1.0 - 0.3 * Math.tanh(q));
    }
    int hour = Math.floorMod(timeSec / 3600, 24);
    byte kind = itemKind[itemRow];
    if (kind == ItemKind.VIDEO.code()) {
      logit += 0.3 + (hour >= 21 || hour <= 1 ? 0.3 : 0);
    } else if (kind == ItemKind.LIVE_STREAM.code()) {
      logit += 0.1 + (hour >= 18 && hour <= 23 ? 0.5 : -0.2);
    } else if (hour >= 11 && hour <= 14) {
      logit += 0.2;
    }
    // Position bias: the chance a slot is examined falls with its position.
    double examine = 1.0 / Math.pow(position, 0.5);
    return examine / (1 + Math.exp(-logit));
  }

  /** True purchase probability after a click. */
  public double pBuyAfterClick(int user, int itemRow) {
    byte kind = itemKind[itemRow];
    double base = kind == ItemKind.PRODUCT.code() ? 0.12 : 0.04;
    float price = itemPrice[itemRow];
    double logit =
        Math.log(base / (1 - base))
            + 0.5 * quality[itemRow]
            - priceSensitivity[user] * Math.log1p(price) / 6.0;
    return 1 / (1 + Math.exp(-logit));
  }

  /** Mean watch seconds after a click (videos and live streams; 0 for products). */
  public double meanWatchSeconds(int user, int itemRow, int timeSec) {
    if (itemKind[itemRow] == ItemKind.PRODUCT.code()) {
      return 0;
    }
    return 20
        * Math.exp(0.4 * quality[itemRow])
        * (1 + 4 * interest(user, itemLeaf[itemRow], timeSec));
  }

  /**
   * The true expected value of showing the item to the user in the top slot at a time, by the same
   * formula the ranker optimises ({@link ValueFormula#DEFAULT}) applied to the true heads. Any
   * other slot scales it by the position's examination probability, which is the same for every
   * item.
   */
  public double expectedValue(int user, int itemRow, int timeSec) {
    double pc = pClick(user, itemRow, 1, timeSec);
    return ValueFormula.DEFAULT.value(
        itemKind[itemRow],
        (float) pc,
        (float) pBuyAfterClick(user, itemRow),
        (float) meanWatchSeconds(user, itemRow, timeSec),
        itemPrice[itemRow]);
  }

  /**
   * Examination probability of a 1-based position (the factor that scales a slot's expected value).
   */
  public static double examination(int position) {
    return 1.0 / Math.pow(position, 0.5);
  }
}
