package io.rankingcluster.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.user.UserProfiles.Affinities;
import org.junit.jupiter.api.Test;

class UserSignalsTest {
  private static final float EPS = 1e-6f;

  @Test
  void parentAffinity_sumsLeafWeightsOfTheSameParent() {
    // 4 leaves per parent: leaves 1 and 3 belong to parent 0, leaf 6 to parent 1.
    UserSignals u =
        new UserSignals(
            new Affinities(new int[] {1, 6, 3}, new float[] {0.5f, 0.3f, 0.2f}),
            0f,
            new long[0],
            false,
            3,
            4);
    assertEquals(0.5f, u.leafAffinity(1), EPS);
    assertEquals(0f, u.leafAffinity(0), EPS);
    assertEquals(0.7f, u.parentAffinity(0), EPS); // asked with any leaf of parent 0
    assertEquals(0.7f, u.parentAffinity(2), EPS);
    assertEquals(0.3f, u.parentAffinity(7), EPS);
    assertEquals(0f, u.parentAffinity(9), EPS);
    assertEquals(0f, u.parentAffinity(100), EPS); // parent outside the tree
  }

  @Test
  void priceFit_isMinusAbsLogRatio_andZeroWhenUnknown() {
    UserSignals u =
        new UserSignals(new Affinities(new int[0], new float[0]), 20f, new long[0], false, 3, 4);
    assertEquals(0f, u.priceFit(20f), EPS);
    assertEquals((float) -Math.log(2), u.priceFit(40f), EPS);
    assertEquals((float) -Math.log(2), u.priceFit(10f), EPS);
    assertTrue(u.priceFit(200f) < u.priceFit(40f));
    assertEquals(0f, u.priceFit(0f));
    UserSignals noPrice =
        new UserSignals(new Affinities(new int[0], new float[0]), 0f, new long[0], true, 3, 4);
    assertEquals(0f, noPrice.priceFit(40f));
  }
}
