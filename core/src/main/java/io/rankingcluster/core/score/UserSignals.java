package io.rankingcluster.core.score;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.core.user.UserProfiles.Affinities;

/**
 * The user side of scoring, as sent by the mixer: category affinities, typical price, recent items.
 * Parent-category affinity is derived here so every scorer sees the same value.
 */
public final class UserSignals {
  public final Affinities affinities;
  public final float typicalPrice;
  public final long[] recentItemIds;
  public final boolean coldStart;
  private final float[] parentAffinity;

  /**
   * Leaf affinities as a dense table over the tree's leaves: scorers ask once per candidate,
   * thousands of times a request, and a scan of the user's categories per ask was a fifth of
   * prerank's time (JFR).
   */
  private final float[] leafAffinity;

  private final int leavesPerParent;

  public UserSignals(
      Affinities affinities,
      float typicalPrice,
      long[] recentItemIds,
      boolean coldStart,
      int parentCount,
      int leavesPerParent) {
    this.affinities = affinities;
    this.typicalPrice = typicalPrice;
    this.recentItemIds = recentItemIds;
    this.coldStart = coldStart;
    this.leavesPerParent = leavesPerParent;
    this.parentAffinity = new float[parentCount];
    this.leafAffinity =
        new float[(int) Math.max(0, Math.min(1 << 20, (long) parentCount * leavesPerParent))];
    for (int i = 0; i < affinities.categories().length; i++) {
      int parent = affinities.categories()[i] / leavesPerParent;
      if (parent < parentCount) {
        parentAffinity[parent] += affinities.weights()[i];
      }
    }
    // Backwards, so that a category given twice keeps its first weight, as Affinities.weightOf
    // answers.
    for (int i = affinities.categories().length - 1; i >= 0; i--) {
      int leaf = affinities.categories()[i];
      if (leaf >= 0 && leaf < leafAffinity.length) {
        leafAffinity[leaf] = affinities.weights()[i];
      }
    }
  }

  /** Signals for a known user, computed from the profile against a catalog. */
  public static UserSignals of(
      long[] recent, Catalog catalog, int parentCount, int leavesPerParent) {
    return new UserSignals(
        UserProfiles.affinities(recent, catalog),
        UserProfiles.typicalPrice(recent, catalog),
        recent,
        recent.length == 0,
        parentCount,
        leavesPerParent);
  }

  public float leafAffinity(int leaf) {
    return leaf >= 0 && leaf < leafAffinity.length ? leafAffinity[leaf] : affinities.weightOf(leaf);
  }

  public float parentAffinity(int leaf) {
    int parent = leaf / leavesPerParent;
    return parent < parentAffinity.length ? parentAffinity[parent] : 0f;
  }

  /**
   * How far a price is from what the user usually pays: -|ln(price / typical)|, 0 when either is
   * unknown.
   */
  public float priceFit(float price) {
    if (price <= 0 || typicalPrice <= 0) {
      return 0f;
    }
    return -Math.abs((float) Math.log(price / typicalPrice));
  }
}
