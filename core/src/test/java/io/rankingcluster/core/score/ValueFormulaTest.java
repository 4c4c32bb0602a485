package io.rankingcluster.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ValueFormulaTest {
  private static final float EPS = 1e-6f;
  private static final byte PRODUCT = 1;
  private static final byte VIDEO = 2;
  private static final byte LIVE = 3;

  @Test
  void value_product_isClickTimesConversionTimesPrice_ignoringWatchTime() {
    // 0.1 x 0.2 x 50 = 1.0
    assertEquals(1.0f, ValueFormula.DEFAULT.value(PRODUCT, 0.1f, 0.2f, 999f, 50f), EPS);
    assertEquals(0f, ValueFormula.DEFAULT.value(PRODUCT, 0.1f, 0f, 999f, 50f), EPS);
  }

  @Test
  void value_video_addsWatchValueAndWeightedCommerce() {
    // 0.5 x (100 x 0.02 + 0.1 x 40 x 1.0) = 0.5 x (2 + 4) = 3.0
    assertEquals(3.0f, ValueFormula.DEFAULT.value(VIDEO, 0.5f, 0.1f, 100f, 40f), EPS);
    // commerceWeight 0.5, valuePerWatchSecond 0.01: 0.5 x (100 x 0.01 + 0.1 x 40 x 0.5) = 0.5 x 3 =
    // 1.5
    assertEquals(1.5f, new ValueFormula(0.01f, 0.5f, 25f).value(VIDEO, 0.5f, 0.1f, 100f, 40f), EPS);
  }

  @Test
  void value_liveStream_usesLiveOrderValueNotPrice() {
    // 0.2 x (50 x 0.02 + 0.1 x 25) = 0.2 x 3.5 = 0.7, whatever the price
    assertEquals(0.7f, ValueFormula.DEFAULT.value(LIVE, 0.2f, 0.1f, 50f, 999f), EPS);
    assertEquals(0.7f, ValueFormula.DEFAULT.value(LIVE, 0.2f, 0.1f, 50f, 0f), EPS);
    // liveOrderValue 100: 0.2 x (1 + 0.1 x 100) = 2.2
    assertEquals(2.2f, new ValueFormula(0.02f, 1f, 100f).value(LIVE, 0.2f, 0.1f, 50f, 0f), EPS);
  }

  @Test
  void value_unknownKind_isZero() {
    assertEquals(0f, ValueFormula.DEFAULT.value((byte) 0, 1f, 1f, 100f, 100f));
    assertEquals(0f, ValueFormula.DEFAULT.value((byte) 4, 1f, 1f, 100f, 100f));
  }

  @Test
  void value_zeroClickProbability_isZeroForEveryKind() {
    for (byte k = 1; k <= 3; k++) {
      assertEquals(0f, ValueFormula.DEFAULT.value(k, 0f, 0.5f, 100f, 100f), "kind " + k);
    }
  }

  @Test
  void constructor_negativeOrNaNWeight_throws() {
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(-0.01f, 1f, 25f));
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(0.02f, -1f, 25f));
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(0.02f, 1f, -25f));
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(Float.NaN, 1f, 25f));
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(0.02f, Float.NaN, 25f));
    assertThrows(IllegalArgumentException.class, () -> new ValueFormula(0.02f, 1f, Float.NaN));
  }

  @Test
  void constructor_infiniteWeight_throws() {
    // The constructor promises "finite and >= 0": an infinite weight would turn 0 x weight into NaN
    // values.
    assertThrows(
        IllegalArgumentException.class, () -> new ValueFormula(Float.POSITIVE_INFINITY, 1f, 25f));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ValueFormula(0.02f, Float.POSITIVE_INFINITY, 25f));
    assertThrows(
        IllegalArgumentException.class, () -> new ValueFormula(0.02f, 1f, Float.POSITIVE_INFINITY));
  }

  @Test
  void constructor_zeroWeights_allowed() {
    assertEquals(0f, new ValueFormula(0f, 0f, 0f).value(VIDEO, 0.5f, 0.5f, 100f, 100f));
  }
}
