package io.rankingcluster.core.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class UserVectorsTest {
  @Test
  void blend_recentPartScaledToLongTermLength_thenWeighted() {
    float[] longTerm = {2, 0};
    float[][] recent = {{0, 10}, {0, 30}}; // mean (0, 20), length 20 -> scaled to length 2
    assertArrayEquals(new float[] {2, 1}, UserVectors.blend(longTerm, recent, 0.5f), 1e-6f);
    assertArrayEquals(new float[] {2, 0}, longTerm, "input untouched");
  }

  @Test
  void blend_missingParts_fallBackToWhatExists() {
    assertArrayEquals(
        new float[] {0, 20},
        UserVectors.blend(null, new float[][] {{0, 10}, null, {0, 30}}, 0.3f),
        1e-6f);
    assertArrayEquals(
        new float[] {1, 2},
        UserVectors.blend(new float[] {1, 2}, new float[][] {null}, 0.3f),
        1e-6f);
    assertArrayEquals(
        new float[] {1, 2},
        UserVectors.blend(new float[] {1, 2}, new float[][] {{5, 5}}, 0f),
        1e-6f);
    assertNull(UserVectors.blend(null, new float[0][], 0.3f));
  }

  @Test
  void blend_vectorsOfAnotherDimension_ignored() {
    assertArrayEquals(
        new float[] {1, 0},
        UserVectors.blend(new float[] {1, 0}, new float[][] {{1, 1, 1}}, 1f),
        1e-6f);
  }
}
