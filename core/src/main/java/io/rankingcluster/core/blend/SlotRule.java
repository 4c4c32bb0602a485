package io.rankingcluster.core.blend;

/**
 * A position rule of the blend: whether an input may take the slot being filled. Rules give way in
 * their relaxation order when nothing on the page fits otherwise: every rule holds at first; then
 * the rules of the lowest order are dropped, an item so placed named by their {@link
 * #relaxedLabel()}; then the next order; and so on. Implementations are immutable (settings from
 * the constructor) and keep no per-page state.
 */
public interface SlotRule {
  /** A rule that never gives way. */
  int NEVER_RELAXED = Integer.MAX_VALUE;

  /** Stable snake_case id (configuration, logs). */
  String id();

  /** When the rule gives way: lower orders first; {@link #NEVER_RELAXED} for never. */
  int relaxationOrder();

  /**
   * The placement rule named on an item placed once this rule (and those of its order) had given
   * way.
   */
  String relaxedLabel();

  /** Whether {@code input} may take {@code page}'s current slot. */
  boolean allows(PageDraft page, int input);
}
