package io.rankingcluster.core.blend;

import io.rankingcluster.core.ItemKind;

/**
 * Composes one page from ranked candidates of the three kinds.
 *
 * <p>Design: slot by slot, the kind that is furthest behind its target share (share x slots so far minus
 * items placed) is asked first for its best remaining item that breaks no position rule (no live stream in
 * slot 1, at most N live streams in the first W slots, no seller twice in a row); when that kind has
 * nothing eligible, the next kind by deficit fills the slot (backfill). Only when no kind has an eligible
 * item is the seller rule relaxed, and after it the live-stream position rules. Input order within a kind is the ranking order, so the page keeps the
 * ranker's preferences wherever the rules allow. Every placement records the rule that chose it.
 */
public final class Blender {
  public static final String RULE_KIND_SHARE = "kind_share";
  public static final String RULE_BACKFILL = "backfill";
  public static final String RULE_SELLER_RELAXED = "seller_relaxed";
  public static final String RULE_POSITION_RELAXED = "position_relaxed";
  public static final String RULE_EXPLORATION = "exploration";

  private final BlendConfig config;

  public Blender(BlendConfig config) {
    this.config = config;
  }

  /**
   * One placed item: the index into the input arrays, the rule that placed it, and the input that ranking
   * order alone would have put in this slot when the rules chose another (-1 when none was displaced).
   */
  public record Placement(int input, String rule, int displaced) {
    public Placement(int input, String rule) {
      this(input, rule, -1);
    }
  }

  /**
   * Blends {@code n} candidates given in ranking order (best first). {@code allowedKinds[k]} false keeps
   * kind k off the page. Returns at most pageSize placements in display order.
   */
  public Placement[] blend(byte[] kinds, long[] sellers, int n, int pageSize, boolean[] allowedKinds) {
    return blend(kinds, sellers, n, pageSize, allowedKinds, null);
  }

  /**
   * Diversity by maximal marginal relevance (Carbonell and Goldstein 1998): within the kind chosen for a
   * slot, the item maximising {@code lambda * relevance - (1 - lambda) * (max cosine similarity to the items
   * already on the page)} is placed, instead of simply the best ranked. {@code relevance} are the rank values
   * (scaled to [0, 1] here); {@code unitVectors} are the items' embeddings normalised to length 1, row-major,
   * {@code dimension} floats each (a zero row has no similarity to anything). lambda = 1 is the ranking order.
   */
  public record Diversity(float[] relevance, float[] unitVectors, int dimension, float lambda) {
    public Diversity {
      if (!(lambda >= 0 && lambda <= 1)) {
        throw new IllegalArgumentException("MMR lambda must be in [0, 1], was " + lambda);
      }
    }
  }

  /** As above, with MMR diversity inside each kind (null: ranking order). */
  public Placement[] blend(byte[] kinds, long[] sellers, int n, int pageSize, boolean[] allowedKinds, Diversity diversity) {
    return blend(kinds, sellers, n, pageSize, allowedKinds, diversity, null);
  }

  /**
   * As above, with an exploration slot: when the config names one ({@link BlendConfig#explorationSlot()}), that
   * slot takes the best-ranked item marked in {@code fresh} that breaks no rule, whatever its kind's share
   * (an item the ranker cannot know well yet gets seen). {@code fresh} null, or no eligible fresh item: the
   * slot is filled as any other.
   */
  public Placement[] blend(byte[] kinds, long[] sellers, int n, int pageSize, boolean[] allowedKinds, Diversity diversity,
      boolean[] fresh) {
    boolean mmr = diversity != null && diversity.lambda() < 1f && diversity.dimension() > 0;
    float[] maxSim = mmr ? new float[n] : null;
    float relScale = 0;
    if (mmr) {
      for (int i = 0; i < n; i++) {
        relScale = Math.max(relScale, Math.abs(diversity.relevance()[i]));
      }
      relScale = relScale > 0 ? 1f / relScale : 0f;
    }
    boolean[] used = new boolean[n];
    int[] placedPerKind = new int[ItemKind.COUNT];
    float shareSum = 0;
    for (int k = 0; k < ItemKind.COUNT; k++) {
      if (allowedKinds[k]) {
        shareSum += config.kindShare()[k];
      }
    }
    Placement[] page = new Placement[Math.min(pageSize, n)];
    int size = 0;
    long previousSeller = Long.MIN_VALUE;
    int liveSoFar = 0;
    Integer[] kindOrder = new Integer[ItemKind.COUNT];
    for (int slot = 0; slot < page.length; slot++) {
      final int filled = slot;
      final float total = shareSum;
      for (int k = 0; k < ItemKind.COUNT; k++) {
        kindOrder[k] = k;
      }
      // Deficit: how far each kind is behind its share after this slot; ties go to the lower kind code.
      java.util.Arrays.sort(kindOrder, (a, b) -> Float.compare(deficit(b, filled, total, placedPerKind, allowedKinds),
          deficit(a, filled, total, placedPerKind, allowedKinds)));
      int chosen = -1;
      String rule = null;
      if (fresh != null && slot == config.explorationSlot() - 1) {
        boolean liveAllowed = liveAllowed(slot, liveSoFar);
        for (int i = 0; i < n; i++) {
          if (!used[i] && fresh[i] && allowedKinds[kinds[i] - 1]
              && (kinds[i] != ItemKind.LIVE_STREAM.code() || liveAllowed)
              && !(config.noAdjacentSameSeller() && sellers[i] == previousSeller)) {
            chosen = i;
            rule = RULE_EXPLORATION;
            break;
          }
        }
      }
      // Attempt 0 keeps every rule; 1 relaxes the seller rule; 2 also the live-stream position rules, so that
      // a page of only live streams (asked for by a kind filter) is not left empty.
      for (int attempt = 0; attempt < 3 && chosen < 0; attempt++) {
        boolean enforceSeller = attempt == 0 && config.noAdjacentSameSeller();
        for (int j = 0; j < ItemKind.COUNT && chosen < 0; j++) {
          int k = kindOrder[j];
          if (!allowedKinds[k]) {
            continue;
          }
          boolean liveAllowed = attempt == 2 || liveAllowed(slot, liveSoFar);
          float best = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < n; i++) {
            if (used[i] || kinds[i] - 1 != k) {
              continue;
            }
            if (kinds[i] == ItemKind.LIVE_STREAM.code() && !liveAllowed) {
              break;
            }
            if (enforceSeller && sellers[i] == previousSeller) {
              continue;
            }
            if (!mmr) {
              chosen = i; // ranking order: the first eligible is the best
              break;
            }
            float score = diversity.lambda() * diversity.relevance()[i] * relScale - (1 - diversity.lambda()) * maxSim[i];
            if (score > best) {
              best = score;
              chosen = i;
            }
          }
          if (chosen >= 0) {
            rule = attempt == 2 ? RULE_POSITION_RELAXED : attempt == 1 ? RULE_SELLER_RELAXED
                : j == 0 ? RULE_KIND_SHARE : RULE_BACKFILL;
          }
        }
      }
      if (chosen < 0) {
        break;
      }
      int displaced = -1;
      for (int i = 0; i < n; i++) {
        if (!used[i] && allowedKinds[kinds[i] - 1]) {
          displaced = i == chosen ? -1 : i; // the best-ranked item still waiting: ranking order's choice
          break;
        }
      }
      used[chosen] = true;
      placedPerKind[kinds[chosen] - 1]++;
      if (kinds[chosen] == ItemKind.LIVE_STREAM.code() && slot < config.liveWindow()) {
        liveSoFar++;
      }
      previousSeller = sellers[chosen];
      page[size++] = new Placement(chosen, rule, displaced);
      if (mmr) {
        int d = diversity.dimension();
        float[] u = diversity.unitVectors();
        int oc = chosen * d;
        for (int i = 0; i < n; i++) {
          if (!used[i]) {
            float s = 0;
            int oi = i * d;
            for (int x = 0; x < d; x++) {
              s += u[oi + x] * u[oc + x];
            }
            maxSim[i] = Math.max(maxSim[i], s);
          }
        }
      }
    }
    return java.util.Arrays.copyOf(page, size);
  }

  private boolean liveAllowed(int slot, int liveInWindowSoFar) {
    if (slot == 0 && config.noLiveInFirstSlot()) {
      return false;
    }
    return slot >= config.liveWindow() || liveInWindowSoFar < config.maxLiveInWindow();
  }

  private float deficit(int k, int filled, float shareSum, int[] placed, boolean[] allowed) {
    if (!allowed[k] || shareSum <= 0) {
      return Float.NEGATIVE_INFINITY;
    }
    return config.kindShare()[k] / shareSum * (filled + 1) - placed[k];
  }
}
