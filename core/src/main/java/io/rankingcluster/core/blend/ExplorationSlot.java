package io.rankingcluster.core.blend;

import java.util.function.IntPredicate;

/**
 * The 1-based {@code slot} (BlendRules.exploration_slot) takes the best-ranked fresh item that
 * breaks no rule, whatever its kind's share, so that an item the ranker cannot know well yet gets
 * seen.
 */
public final class ExplorationSlot implements SlotReservation {
  private final int slot;

  public ExplorationSlot(int slot) {
    if (slot < 1) {
      throw new IllegalArgumentException("the exploration slot is 1-based, was " + slot);
    }
    this.slot = slot;
  }

  @Override
  public String id() {
    return "exploration_slot";
  }

  @Override
  public String label() {
    return Blender.RULE_EXPLORATION;
  }

  @Override
  public int claim(PageDraft page, IntPredicate fits) {
    if (page.slot() != slot - 1) {
      return -1;
    }
    for (int i = 0; i < page.inputs(); i++) {
      if (!page.used(i) && page.fresh(i) && page.kindAllowed(page.kind(i) - 1) && fits.test(i)) {
        return i;
      }
    }
    return -1;
  }
}
