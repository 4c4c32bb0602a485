package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * A rule defined in the test tree: no video before the 1-based slot {@code first}; the last rule to
 * give way.
 */
final class NoVideoBeforeSlotRule implements SlotRule {
  private final int first;

  NoVideoBeforeSlotRule(int first) {
    this.first = first;
  }

  @Override
  public String id() {
    return "no_video_before_slot";
  }

  @Override
  public int relaxationOrder() {
    return 3;
  }

  @Override
  public String relaxedLabel() {
    return "video_early";
  }

  @Override
  public boolean allows(PageDraft page, int input) {
    return page.slot() >= first - 1 || page.kind(input) != ItemKind.VIDEO.code();
  }
}
