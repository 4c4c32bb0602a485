package io.rankingcluster.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrderTest {
  @Test
  void byScoreDescending_distinctScores_highestFirst() {
    float[] s = {0.5f, 2f, -1f, 1f, 0.25f};
    assertArrayEquals(new int[] {1, 3, 0, 4, 2}, Order.byScoreDescending(s, s.length));
  }

  @Test
  void byScoreDescending_ties_keepIndexOrder() {
    float[] s = {1f, 3f, 1f, 3f, 1f, 2f};
    assertArrayEquals(new int[] {1, 3, 5, 0, 2, 4}, Order.byScoreDescending(s, s.length));
  }

  @Test
  void byScoreDescending_nanScores_sortLastInIndexOrder() {
    float[] s = {Float.NaN, -5f, Float.NaN, 7f, Float.NEGATIVE_INFINITY};
    assertArrayEquals(new int[] {3, 1, 4, 0, 2}, Order.byScoreDescending(s, s.length));
  }

  @Test
  void byScoreDescending_negativesAndInfinities_orderedByValue() {
    float[] s = {
      -0.5f,
      -100f,
      Float.NEGATIVE_INFINITY,
      -Float.MIN_VALUE,
      Float.POSITIVE_INFINITY,
      -2f,
      Float.MAX_VALUE,
      -Float.MAX_VALUE
    };
    assertArrayEquals(new int[] {4, 6, 3, 0, 5, 1, 7, 2}, Order.byScoreDescending(s, s.length));
  }

  @Test
  void byScoreDescending_negativeAndPositiveZero_areEqualAndKeepIndexOrder() {
    float[] s = {-0f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE};
    assertArrayEquals(new int[] {3, 0, 1, 2, 4}, Order.byScoreDescending(s, s.length));
    float[] t = {0f, -0f};
    assertArrayEquals(new int[] {0, 1}, Order.byScoreDescending(t, t.length));
  }

  @Test
  void byScoreDescending_nSmallerThanLength_ordersOnlyThePrefix() {
    float[] s = {1f, 2f, 3f, 100f, 200f};
    assertArrayEquals(new int[] {2, 1, 0}, Order.byScoreDescending(s, 3));
    assertEquals(0, Order.byScoreDescending(s, 0).length);
  }

  @Test
  void byScoreDescending_randomInputs_matchesStableReferenceSort() {
    Random rnd = new Random(3);
    float[] pool = {
      Float.NaN, 0f, -0f, 1f, -1f, 0.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
    };
    for (int c = 0; c < 500; c++) {
      int len = rnd.nextInt(60);
      float[] s = new float[len];
      for (int i = 0; i < len; i++) {
        s[i] = rnd.nextInt(3) == 0 ? pool[rnd.nextInt(pool.length)] : (float) rnd.nextGaussian();
      }
      int n = len == 0 ? 0 : rnd.nextInt(len + 1);
      // Reference: a stable sort of boxed indexes by a comparator that is obviously correct.
      Integer[] ref = new Integer[n];
      for (int i = 0; i < n; i++) {
        ref[i] = i;
      }
      Comparator<Integer> cmp =
          (a, b) -> {
            float x = s[a];
            float y = s[b];
            if (Float.isNaN(x) || Float.isNaN(y)) {
              return Boolean.compare(Float.isNaN(x), Float.isNaN(y));
            }
            return x > y ? -1 : x < y ? 1 : 0; // -0 == 0 under ==
          };
      Arrays.sort(ref, cmp);
      int[] expected = Arrays.stream(ref).mapToInt(Integer::intValue).toArray();
      int[] actual = Order.byScoreDescending(s, n);
      assertArrayEquals(expected, actual, () -> "scores " + Arrays.toString(s) + " n=" + n);
      for (int i = 1; i < actual.length; i++) {
        assertTrue(Float.isNaN(s[actual[i]]) || !(s[actual[i]] > s[actual[i - 1]]));
      }
    }
  }
}
