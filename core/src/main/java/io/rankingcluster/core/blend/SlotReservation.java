package io.rankingcluster.core.blend;

import java.util.function.IntPredicate;

/**
 * A slot held for a special item before the kind shares choose (the exploration slot): it claims an
 * input for the current slot, or none, in which case the slot is filled as any other. What it
 * claims must satisfy {@code fits} (every slot rule, none relaxed).
 */
public interface SlotReservation {
  String id();

  /** The placement rule named on the item it claims. */
  String label();

  /** The input claimed for the current slot, or -1. */
  int claim(PageDraft page, IntPredicate fits);
}
