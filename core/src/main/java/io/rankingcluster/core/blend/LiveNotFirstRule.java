package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * Slot 1 is never a live stream (BlendRules.allow_live_in_first_slot false); gives way with the
 * position rules.
 */
public final class LiveNotFirstRule implements SlotRule {
  @Override
  public String id() {
    return "live_not_first";
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
    return page.slot() != 0 || page.kind(input) != ItemKind.LIVE_STREAM.code();
  }
}
