package io.rankingcluster.core.recall;

/**
 * A recall channel's wire identity: its registered name (stable snake_case, used in metrics, logs,
 * configuration and ranking.v1 {@code ChannelStats.name}) and its bit index in a candidate's
 * channel mask (1..31; {@link #bit()} is the mask). The six standard channels keep the numbers of
 * the ranking.v1 {@code RecallChannel} enum; the {@link ChannelRegistry} assigns the rest.
 */
public record Channel(String label, int number) {
  public static final Channel ANN = new Channel("ann", 1);
  public static final Channel ITEM_TO_ITEM = new Channel("item_to_item", 2);
  public static final Channel POPULAR = new Channel("popular", 3);
  public static final Channel CATEGORY = new Channel("category", 4);
  public static final Channel FRESH = new Channel("fresh", 5);
  public static final Channel LIVE_NOW = new Channel("live_now", 6);

  /** Highest bit index: channel masks are 32-bit (fixed32 on the wire) and bit 0 is never used. */
  public static final int MAX_NUMBER = 31;

  public Channel {
    if (label == null || !label.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("a channel name is snake_case, got '" + label + "'");
    }
    if (number < 1 || number > MAX_NUMBER) {
      throw new IllegalArgumentException(
          "channel " + label + ": bit index must be in [1, " + MAX_NUMBER + "], was " + number);
    }
  }

  /** The channel-mask bit of this channel. */
  public int bit() {
    return 1 << number;
  }

  /**
   * Whether this is one of the six channels with a ranking.v1 RecallChannel value (equal to its
   * number).
   */
  public boolean standard() {
    return number <= LIVE_NOW.number;
  }
}
