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
  private final int leavesPerParent;

  public UserSignals(Affinities affinities, float typicalPrice, long[] recentItemIds, boolean coldStart,
      int parentCount, int leavesPerParent) {
    this.affinities = affinities;
    this.typicalPrice = typicalPrice;
    this.recentItemIds = recentItemIds;
    this.coldStart = coldStart;
    this.leavesPerParent = leavesPerParent;
    this.parentAffinity = new float[parentCount];
    for (int i = 0; i < affinities.categories().length; i++) {
      int parent = affinities.categories()[i] / leavesPerParent;
      if (parent < parentCount) {
        parentAffinity[parent] += affinities.weights()[i];
      }
    }
  }

  /** Signals for a known user, computed from the profile against a catalog. */
  public static UserSignals of(long[] recent, Catalog catalog, int parentCount, int leavesPerParent) {
    return new UserSignals(UserProfiles.affinities(recent, catalog), UserProfiles.typicalPrice(recent, catalog),
        recent, recent.length == 0, parentCount, leavesPerParent);
  }

  public float leafAffinity(int leaf) {
    return affinities.weightOf(leaf);
  }

  public float parentAffinity(int leaf) {
    int parent = leaf / leavesPerParent;
    return parent < parentAffinity.length ? parentAffinity[parent] : 0f;
  }

  /**
   * How far a price is from what the user usually pays: -|ln(price / typical)|, 0 when either is unknown.
   */
  public float priceFit(float price) {
    if (price <= 0 || typicalPrice <= 0) {
      return 0f;
    }
    return -Math.abs((float) Math.log(price / typicalPrice));
  }
}
