package io.rankingcluster.core.user;

import io.rankingcluster.core.catalog.Catalog;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Long-term user state: home country and the items each user engaged with, most recent first. The
 * features the stages consume (category affinities, typical price) are derived here, in one place,
 * so that serving and training compute them identically.
 */
public final class UserProfiles {
  /** How many recent items a profile keeps and sends downstream. */
  public static final int MAX_RECENT = 50;

  /** How many affinity categories are sent downstream. */
  public static final int MAX_AFFINITIES = 6;

  private final Map<String, Integer> rowByUserId;
  private final String[] userIds;
  private final int[] countries;
  private final long[][] recentItems;

  public UserProfiles(String[] userIds, int[] countries, long[][] recentItems) {
    if (userIds.length != countries.length || userIds.length != recentItems.length) {
      throw new IllegalArgumentException("user columns differ in length");
    }
    this.userIds = userIds.clone();
    this.countries = countries.clone();
    this.recentItems = recentItems.clone();
    this.rowByUserId = new HashMap<>(userIds.length * 2);
    for (int i = 0; i < userIds.length; i++) {
      if (rowByUserId.put(userIds[i], i) != null) {
        throw new IllegalArgumentException("duplicate user id '" + userIds[i] + "'");
      }
    }
  }

  public int size() {
    return userIds.length;
  }

  /** The row of a user, or -1 for an unknown user (served as cold start). */
  public int rowOf(String userId) {
    Integer row = rowByUserId.get(userId);
    return row == null ? -1 : row;
  }

  public String userId(int row) {
    return userIds[row];
  }

  /** Index into {@link Catalog#COUNTRIES}. */
  public int country(int row) {
    return countries[row];
  }

  /** Recent item ids, most recent first (do not modify). */
  public long[] recentItems(int row) {
    return recentItems[row];
  }

  /**
   * Category affinities from recent items: each engagement weighs {@code 0.9^age} (age 0 = most
   * recent), summed per leaf category, the top {@link #MAX_AFFINITIES} normalised to sum 1. Items
   * not in the catalog are skipped. Returns parallel arrays {categories, weights}, strongest first.
   */
  public static Affinities affinities(long[] recent, Catalog catalog) {
    float[] perCategory = new float[catalog.categoryCount];
    float decay = 1f;
    for (long id : recent) {
      int row = catalog.index.rowOf(id);
      if (row >= 0) {
        perCategory[catalog.categories[row]] += decay;
      }
      decay *= 0.9f;
    }
    // Selection by repeated maximum: the category count is small (tens), and ties go to the lower
    // id
    // so that the order is deterministic.
    int[] top = new int[MAX_AFFINITIES];
    float[] weights = new float[MAX_AFFINITIES];
    int n = 0;
    float sum = 0;
    while (n < MAX_AFFINITIES) {
      int best = -1;
      for (int c = 0; c < perCategory.length; c++) {
        if (perCategory[c] > 0 && (best < 0 || perCategory[c] > perCategory[best])) {
          best = c;
        }
      }
      if (best < 0) {
        break;
      }
      top[n] = best;
      weights[n++] = perCategory[best];
      sum += perCategory[best];
      perCategory[best] = 0;
    }
    for (int i = 0; i < n; i++) {
      weights[i] /= sum;
    }
    return new Affinities(Arrays.copyOf(top, n), Arrays.copyOf(weights, n));
  }

  /** Median price of the priced items among the recent ones; 0 when none. */
  public static float typicalPrice(long[] recent, Catalog catalog) {
    float[] prices = new float[recent.length];
    int n = 0;
    for (long id : recent) {
      int row = catalog.index.rowOf(id);
      if (row >= 0 && catalog.prices[row] > 0) {
        prices[n++] = catalog.prices[row];
      }
    }
    if (n == 0) {
      return 0f;
    }
    Arrays.sort(prices, 0, n);
    return prices[n / 2];
  }

  /** Category affinities: parallel arrays, strongest first, weights summing to 1 (or empty). */
  public record Affinities(int[] categories, float[] weights) {
    /** The weight of a category, 0 when absent. */
    public float weightOf(int category) {
      for (int i = 0; i < categories.length; i++) {
        if (categories[i] == category) {
          return weights[i];
        }
      }
      return 0f;
    }
  }
}
