package io.rankingcluster.core.score;

/**
 * Turns the rank heads into one value per impression, comparable across kinds (in currency units):
 *
 * <ul>
 *   <li>product: pClick x pConvert x price (expected GMV);
 *   <li>video: pClick x (watchSeconds x valuePerWatchSecond + pConvert x price x commerceWeight);
 *   <li>live stream: pClick x (watchSeconds x valuePerWatchSecond + pConvert x liveOrderValue).
 * </ul>
 */
public record ValueFormula(float valuePerWatchSecond, float commerceWeight, float liveOrderValue) {
  /**
   * Defaults: a watched second is worth 0.02 currency units; a purchase through a video counts
   * fully.
   */
  public static final ValueFormula DEFAULT = new ValueFormula(0.02f, 1.0f, 25f);

  public ValueFormula {
    if (!(valuePerWatchSecond >= 0)
        || !(commerceWeight >= 0)
        || !(liveOrderValue >= 0)
        || Float.isInfinite(valuePerWatchSecond)
        || Float.isInfinite(commerceWeight)
        || Float.isInfinite(liveOrderValue)) {
      throw new IllegalArgumentException("value formula weights must be finite and >= 0");
    }
  }

  public float value(byte kind, float pClick, float pConvert, float watchSeconds, float price) {
    return switch (kind) {
      case 1 -> pClick * pConvert * price;
      case 2 -> pClick * (watchSeconds * valuePerWatchSecond + pConvert * price * commerceWeight);
      case 3 -> pClick * (watchSeconds * valuePerWatchSecond + pConvert * liveOrderValue);
      default -> 0f;
    };
  }
}
