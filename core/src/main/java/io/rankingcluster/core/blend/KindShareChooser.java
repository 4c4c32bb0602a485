package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * Which kind a slot asks first: the one furthest behind its target share (share x slots so far
 * minus items placed, shares normalised over the kinds the request allows); ties go to the lower
 * kind code. The first kind asked places with "kind_share", a later one (the earlier had nothing
 * placeable) with "backfill".
 */
public final class KindShareChooser {
  private final float[] shares;

  public KindShareChooser(float[] shares) {
    if (shares.length != ItemKind.COUNT) {
      throw new IllegalArgumentException("one share per kind");
    }
    this.shares = shares.clone();
  }

  /** The kind indexes in the order the current slot asks them. */
  Integer[] order(PageDraft page) {
    float sum = 0;
    for (int k = 0; k < ItemKind.COUNT; k++) {
      if (page.kindAllowed(k)) {
        sum += shares[k];
      }
    }
    Integer[] order = new Integer[ItemKind.COUNT];
    for (int k = 0; k < ItemKind.COUNT; k++) {
      order[k] = k;
    }
    float total = sum;
    int filled = page.slot();
    // A stable sort: equal deficits keep the lower kind first.
    java.util.Arrays.sort(
        order,
        (a, b) -> Float.compare(deficit(page, b, filled, total), deficit(page, a, filled, total)));
    return order;
  }

  private float deficit(PageDraft page, int k, int filled, float shareSum) {
    if (!page.kindAllowed(k) || shareSum <= 0) {
      return Float.NEGATIVE_INFINITY;
    }
    return shares[k] / shareSum * (filled + 1) - page.placedOfKind(k);
  }
}
