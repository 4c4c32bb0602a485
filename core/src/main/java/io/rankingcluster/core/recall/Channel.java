package io.rankingcluster.core.recall;

/**
 * Recall channels. {@link #number()} equals the ranking.v1 {@code RecallChannel} number and is the bit
 * set in a candidate's channel mask.
 */
public enum Channel {
  ANN(1, "ann"),
  ITEM_TO_ITEM(2, "item_to_item"),
  POPULAR(3, "popular"),
  CATEGORY(4, "category"),
  FRESH(5, "fresh"),
  LIVE_NOW(6, "live_now");

  private final int number;
  private final String label;

  Channel(int number, String label) {
    this.number = number;
    this.label = label;
  }

  public int number() {
    return number;
  }

  public int bit() {
    return 1 << number;
  }

  /** Stable name used in metrics, logs and configuration. */
  public String label() {
    return label;
  }

  public static Channel ofNumber(int number) {
    for (Channel c : values()) {
      if (c.number == number) {
        return c;
      }
    }
    return null;
  }
}
