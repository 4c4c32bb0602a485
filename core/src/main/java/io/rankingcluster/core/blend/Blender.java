package io.rankingcluster.core.blend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Composes one page from ranked candidates of the three kinds.
 *
 * <p>Design: slot by slot, a reservation may claim the slot first (the exploration slot: the
 * best-ranked fresh item that breaks no rule). Otherwise the {@link KindShareChooser} orders the
 * kinds by how far each is behind its target share, and the first kind with an eligible item places
 * it: its best-ranked one, or with MMR diversity the one that best trades value for dissimilarity
 * to the page ({@link MmrChooser}); a later kind placing means backfill. Eligible means every
 * {@link SlotRule} allows it. When no kind has an eligible item, the rules give way in their
 * relaxation order (the seller rule first, then the live-stream position rules), so that a page of
 * only live streams (asked for by a kind filter) is not left empty. Input order within a kind is
 * the ranking order, so the page keeps the ranker's preferences wherever the rules allow. Every
 * placement records the rule that chose it.
 *
 * <p>The shipped rules come from {@link BlendConfig} ({@link #rules}); more can be added, each a
 * class with its settings in its constructor.
 */
public final class Blender {
  public static final String RULE_KIND_SHARE = "kind_share";
  public static final String RULE_BACKFILL = "backfill";
  public static final String RULE_SELLER_RELAXED = "seller_relaxed";
  public static final String RULE_POSITION_RELAXED = "position_relaxed";
  public static final String RULE_EXPLORATION = "exploration";

  private final KindShareChooser kinds;
  private final List<SlotRule> rules;
  private final List<SlotReservation> reservations;

  /** The distinct relaxation orders of the rules, ascending (NEVER_RELAXED excluded). */
  private final int[] relaxations;

  /** The rules of {@code config}. */
  public Blender(BlendConfig config) {
    this(config, List.of());
  }

  /** The rules of {@code config} plus {@code extraRules}. */
  public Blender(BlendConfig config, List<SlotRule> extraRules) {
    List<SlotRule> all = new ArrayList<>(rules(config));
    all.addAll(extraRules);
    this.kinds = new KindShareChooser(config.kindShare());
    this.rules = List.copyOf(all);
    this.reservations =
        config.explorationSlot() > 0
            ? List.of(new ExplorationSlot(config.explorationSlot()))
            : List.of();
    this.relaxations =
        this.rules.stream()
            .mapToInt(SlotRule::relaxationOrder)
            .filter(o -> o != SlotRule.NEVER_RELAXED)
            .distinct()
            .sorted()
            .toArray();
  }

  /** The shipped slot rules a configuration turns on, one line each. */
  public static List<SlotRule> rules(BlendConfig config) {
    List<SlotRule> out = new ArrayList<>();
    if (config.noLiveInFirstSlot()) {
      out.add(new LiveNotFirstRule());
    }
    if (config.liveWindow() > 0) {
      out.add(new LiveWindowRule(config.liveWindow(), config.maxLiveInWindow()));
    }
    if (config.noAdjacentSameSeller()) {
      out.add(new SellerSpacingRule());
    }
    return out;
  }

  /**
   * One placed item: the index into the input arrays, the rule that placed it, and the input that
   * ranking order alone would have put in this slot when the rules chose another (-1 when none was
   * displaced).
   */
  public record Placement(int input, String rule, int displaced) {
    public Placement(int input, String rule) {
      this(input, rule, -1);
    }
  }

  /**
   * Blends {@code n} candidates given in ranking order (best first). {@code allowedKinds[k]} false
   * keeps kind k off the page. Returns at most pageSize placements in display order.
   */
  public Placement[] blend(
      byte[] kinds, long[] sellers, int n, int pageSize, boolean[] allowedKinds) {
    return blend(kinds, sellers, n, pageSize, allowedKinds, null);
  }

  /**
   * Diversity by maximal marginal relevance (Carbonell and Goldstein 1998): within the kind chosen
   * for a slot, the item maximising {@code lambda * relevance - (1 - lambda) * (max cosine
   * similarity to the items already on the page)} is placed, instead of simply the best ranked.
   * {@code relevance} are the rank values (scaled to [0, 1] here); {@code unitVectors} are the
   * items' embeddings normalised to length 1, row-major, {@code dimension} floats each (a zero row
   * has no similarity to anything). lambda = 1 is the ranking order.
   */
  public record Diversity(float[] relevance, float[] unitVectors, int dimension, float lambda) {
    public Diversity {
      if (!(lambda >= 0 && lambda <= 1)) {
        throw new IllegalArgumentException("MMR lambda must be in [0, 1], was " + lambda);
      }
    }
  }

  /** As above, with MMR diversity inside each kind (null: ranking order). */
  public Placement[] blend(
      byte[] kinds,
      long[] sellers,
      int n,
      int pageSize,
      boolean[] allowedKinds,
      Diversity diversity) {
    return blend(kinds, sellers, n, pageSize, allowedKinds, diversity, null);
  }

  /**
   * As above, with an exploration slot: when the config names one ({@link
   * BlendConfig#explorationSlot()}), that slot takes the best-ranked item marked in {@code fresh}
   * that breaks no rule, whatever its kind's share (an item the ranker cannot know well yet gets
   * seen). {@code fresh} null, or no eligible fresh item: the slot is filled as any other.
   */
  public Placement[] blend(
      byte[] kinds,
      long[] sellers,
      int n,
      int pageSize,
      boolean[] allowedKinds,
      Diversity diversity,
      boolean[] fresh) {
    PageDraft page = new PageDraft(kinds, sellers, n, pageSize, allowedKinds, fresh);
    MmrChooser items = new MmrChooser(diversity, n);
    Placement[] out = new Placement[page.capacity()];
    int size = 0;
    for (int slot = 0; slot < out.length; slot++) {
      int chosen = -1;
      String rule = null;
      for (SlotReservation r : reservations) {
        chosen = r.claim(page, i -> allows(page, i, 0));
        if (chosen >= 0) {
          rule = r.label();
          break;
        }
      }
      if (chosen < 0) {
        Integer[] kindOrder = this.kinds.order(page);
        for (int attempt = 0; attempt <= relaxations.length && chosen < 0; attempt++) {
          int relaxedUpTo = attempt == 0 ? Integer.MIN_VALUE : relaxations[attempt - 1];
          for (int j = 0; j < kindOrder.length && chosen < 0; j++) {
            int k = kindOrder[j];
            if (!allowedKinds[k]) {
              continue;
            }
            chosen = items.choose(page, k, i -> allows(page, i, relaxedUpTo));
            if (chosen >= 0) {
              rule =
                  attempt > 0
                      ? relaxedLabel(relaxedUpTo)
                      : j == 0 ? RULE_KIND_SHARE : RULE_BACKFILL;
            }
          }
        }
      }
      if (chosen < 0) {
        break;
      }
      int displaced = -1;
      for (int i = 0; i < n; i++) {
        if (!page.used(i) && allowedKinds[kinds[i] - 1]) {
          displaced =
              i == chosen ? -1 : i; // the best-ranked item still waiting: ranking order's choice
          break;
        }
      }
      page.place(chosen);
      out[size++] = new Placement(chosen, rule, displaced);
      items.placed(page, chosen);
    }
    return Arrays.copyOf(out, size);
  }

  /**
   * Whether every rule not yet relaxed (relaxation order above {@code relaxedUpTo}) allows the
   * input.
   */
  private boolean allows(PageDraft page, int input, int relaxedUpTo) {
    for (SlotRule r : rules) {
      if (r.relaxationOrder() > relaxedUpTo && !r.allows(page, input)) {
        return false;
      }
    }
    return true;
  }

  private String relaxedLabel(int order) {
    for (SlotRule r : rules) {
      if (r.relaxationOrder() == order) {
        return r.relaxedLabel();
      }
    }
    throw new IllegalStateException("no rule of relaxation order " + order);
  }
}
