package io.rankingcluster.core.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import org.junit.jupiter.api.Test;

class UserProfilesTest {
  private static final float EPS = 1e-5f;

  /**
   * Rows 0..7: item 100 + c in category c (c = 0..7); row 8: item 200, a second item in category 3;
   * row 9: item 300, a live stream (price 0) in category 9. Prices: 10 + 10 * row for rows 0..8.
   */
  private static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(10, 10);
    for (int c = 0; c < 8; c++) {
      b.ids[c] = 100 + c;
      b.categories[c] = c;
    }
    b.ids[8] = 200;
    b.categories[8] = 3;
    b.ids[9] = 300;
    b.categories[9] = 9;
    for (int row = 0; row < 9; row++) {
      b.prices[row] = 10 + 10 * row;
    }
    TestCatalogs.liveStream(b, 9, 0, 60);
    return b.build();
  }

  @Test
  void affinities_eightCategoriesWithUnknownId_keepsTopSixDecayedAndNormalised() {
    // age:          0    1    2 (unknown) 3 (cat 3) 4    5    6    7    8    9
    long[] recent = {103, 101, 999_999, 200, 100, 102, 104, 105, 106, 107};
    Affinities a = UserProfiles.affinities(recent, catalog());

    // Hand computation: weight 0.9^age per engagement, summed per category. The unknown id is
    // skipped
    // but still has an age (2). Category 3: 0.9^0 + 0.9^3 = 1.729; 1: 0.9; 0: 0.9^4 = 0.6561;
    // 2: 0.9^5 = 0.59049; 4: 0.9^6 = 0.531441; 5: 0.9^7 = 0.4782969; 6: 0.9^8 and 7: 0.9^9 fall
    // outside the
    // top 6. Sum of the top 6 = 4.8853279.
    assertArrayEquals(new int[] {3, 1, 0, 2, 4, 5}, a.categories());
    float[] expected = {
      0.35391688f, 0.18422510f, 0.13430009f, 0.12087009f, 0.10878308f, 0.09790477f
    };
    assertArrayEquals(expected, a.weights(), EPS);
    float sum = 0;
    for (float w : a.weights()) {
      sum += w;
    }
    assertEquals(1f, sum, EPS);
    assertEquals(0f, a.weightOf(6));
    assertEquals(0f, a.weightOf(7));
    assertEquals(expected[1], a.weightOf(1), EPS);
  }

  @Test
  void affinities_fewerThanSixCategories_returnsAllNormalised() {
    long[] recent = {105, 105, 102}; // category 5: 1 + 0.9 = 1.9; category 2: 0.81; sum 2.71
    Affinities a = UserProfiles.affinities(recent, catalog());
    assertArrayEquals(new int[] {5, 2}, a.categories());
    assertArrayEquals(new float[] {1.9f / 2.71f, 0.81f / 2.71f}, a.weights(), EPS);
  }

  @Test
  void affinities_sameClicksMoreRecent_weighMore() {
    // One recent click in category 1 (1.0) against two older ones in category 2 (0.9 + 0.81 =
    // 1.71).
    Affinities a = UserProfiles.affinities(new long[] {101, 102, 102}, catalog());
    assertArrayEquals(new int[] {2, 1}, a.categories());
    // The same clicks, reversed in time: category 2 now 1 + 0.9 = 1.9 vs 0.81.
    Affinities b = UserProfiles.affinities(new long[] {102, 102, 101}, catalog());
    assertArrayEquals(new int[] {2, 1}, b.categories());
    assertTrue(b.weightOf(2) > a.weightOf(2));
  }

  @Test
  void affinities_onlyUnknownOrNoIds_returnsEmpty() {
    Affinities a = UserProfiles.affinities(new long[] {1, 2, 3}, catalog());
    assertEquals(0, a.categories().length);
    assertEquals(0, a.weights().length);
    Affinities b = UserProfiles.affinities(new long[0], catalog());
    assertEquals(0, b.categories().length);
    assertEquals(0f, b.weightOf(0));
  }

  @Test
  void typicalPrice_oddCountOfPricedItems_returnsMedian() {
    // Prices: 101 -> 20, 105 -> 60, 102 -> 30; the live stream (price 0) and the unknown id are
    // ignored.
    assertEquals(
        30f, UserProfiles.typicalPrice(new long[] {101, 300, 105, 999_999, 102}, catalog()));
    assertEquals(90f, UserProfiles.typicalPrice(new long[] {200}, catalog()));
  }

  @Test
  void typicalPrice_evenCount_returnsOneOfTheTwoMiddlePrices() {
    // 10, 20, 70, 80: the median lies between 20 and 70; the implementation picks a middle element.
    float p = UserProfiles.typicalPrice(new long[] {106, 100, 107, 101}, catalog());
    assertTrue(p == 20f || p == 70f, "typical price " + p);
  }

  @Test
  void typicalPrice_noPricedItems_returnsZero() {
    assertEquals(0f, UserProfiles.typicalPrice(new long[] {300, 999_999}, catalog()));
    assertEquals(0f, UserProfiles.typicalPrice(new long[0], catalog()));
  }

  @Test
  void rowOf_knownAndUnknownUsers() {
    UserProfiles p =
        new UserProfiles(new String[] {"a", "b"}, new int[] {0, 3}, new long[][] {{1, 2}, {}});
    assertEquals(2, p.size());
    assertEquals(0, p.rowOf("a"));
    assertEquals(1, p.rowOf("b"));
    assertEquals(-1, p.rowOf("c"));
    assertEquals("b", p.userId(1));
    assertEquals(3, p.country(1));
    assertArrayEquals(new long[] {1, 2}, p.recentItems(0));
  }

  @Test
  void constructor_duplicateUserOrMismatchedColumns_throws() {
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () -> new UserProfiles(new String[] {"x", "y", "x"}, new int[3], new long[3][0]));
    assertTrue(dup.getMessage().contains("'x'"), dup.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new UserProfiles(new String[] {"x", "y"}, new int[1], new long[2][0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> new UserProfiles(new String[] {"x", "y"}, new int[2], new long[3][0]));
  }
}
