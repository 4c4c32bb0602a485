package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * The blending rules for one page.
 *
 * @param kindShare target share of each kind (indexed by {@link ItemKind#index()}); need not sum to
 *     1, it is normalised over the kinds a request allows
 * @param noLiveInFirstSlot slot 1 is never a live stream
 * @param liveWindow the first {@code liveWindow} slots hold at most {@code maxLiveInWindow} live
 *     streams
 * @param maxLiveInWindow see liveWindow
 * @param noAdjacentSameSeller two neighbouring items never share a seller (relaxed only when
 *     nothing else is left)
 * @param explorationSlot the 1-based slot reserved for a fresh item (0 = none)
 */
public record BlendConfig(
    float[] kindShare,
    boolean noLiveInFirstSlot,
    int liveWindow,
    int maxLiveInWindow,
    boolean noAdjacentSameSeller,
    int explorationSlot) {
  public static final BlendConfig DEFAULT =
      new BlendConfig(new float[] {0.6f, 0.3f, 0.1f}, true, 5, 1, true, 0);

  /** Without an exploration slot. */
  public BlendConfig(
      float[] kindShare,
      boolean noLiveInFirstSlot,
      int liveWindow,
      int maxLiveInWindow,
      boolean noAdjacentSameSeller) {
    this(kindShare, noLiveInFirstSlot, liveWindow, maxLiveInWindow, noAdjacentSameSeller, 0);
  }

  public BlendConfig {
    if (kindShare.length != ItemKind.COUNT) {
      throw new IllegalArgumentException(
          "kindShare needs " + ItemKind.COUNT + " entries (product, video, live_stream)");
    }
    for (float s : kindShare) {
      if (!(s >= 0) || Float.isInfinite(s)) {
        throw new IllegalArgumentException("kindShare entries must be finite and >= 0, got " + s);
      }
    }
    if (liveWindow < 0 || maxLiveInWindow < 0) {
      throw new IllegalArgumentException("liveWindow and maxLiveInWindow must be >= 0");
    }
    if (explorationSlot < 0) {
      throw new IllegalArgumentException(
          "explorationSlot must be >= 0 (0 = none), was " + explorationSlot);
    }
    kindShare = kindShare.clone();
  }
}
