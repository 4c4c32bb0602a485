package io.rankingcluster.core.blend;

/**
 * No two neighbouring items share a seller (BlendRules.allow_adjacent_same_seller false); the first
 * rule to give way ("seller_relaxed").
 */
public final class SellerSpacingRule implements SlotRule {
  @Override
  public String id() {
    return "seller_spacing";
  }

  @Override
  public int relaxationOrder() {
    return 1;
  }

  @Override
  public String relaxedLabel() {
    return Blender.RULE_SELLER_RELAXED;
  }

  @Override
  public boolean allows(PageDraft page, int input) {
    int slot = page.slot();
    return slot == 0 || page.seller(page.placedAt(slot - 1)) != page.seller(input);
  }
}
