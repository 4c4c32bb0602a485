package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * The first {@code window} slots hold at most {@code max} live streams (BlendRules.live_window and
 * max_live_in_window); gives way with the position rules.
 */
public final class LiveWindowRule implements SlotRule {
  private final int window;
  private final int max;

  public LiveWindowRule(int window, int max) {
    if (window < 0 || max < 0) {
      throw new IllegalArgumentException("live window and its maximum must be >= 0");
    }
    this.window = window;
    this.max = max;
  }

  @Override
  public String id() {
    return "live_window";
  }

  @Override
  public int relaxationOrder() {
    return 2;
  }

  @Override
  public String relaxedLabel() {
    return Blender.RULE_POSITION_RELAXED;
  }

  @Override
  public boolean allows(PageDraft page, int input) {
    int slot = page.slot();
    if (page.kind(input) != ItemKind.LIVE_STREAM.code() || slot >= window) {
      return true;
    }
    int live = 0;
    for (int s = 0; s < slot; s++) {
      if (page.kind(page.placedAt(s)) == ItemKind.LIVE_STREAM.code()) {
        live++;
      }
    }
    return live < max;
  }
}
