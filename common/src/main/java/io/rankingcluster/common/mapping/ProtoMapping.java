package io.rankingcluster.common.mapping;

import static io.rankingcluster.common.mapping.Statuses.invalid;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.util.List;

/**
 * Validates ranking.v1 messages and maps them to core's primitive structures and back. Every check
 * throws INVALID_ARGUMENT naming the offending field, so all stages reject bad input the same way.
 */
public final class ProtoMapping {
  private ProtoMapping() {}

  /** The kind of a proto enum number, or INVALID_ARGUMENT naming the field. */
  public static ItemKind kind(int number, String field) {
    ItemKind kind = ItemKind.ofCode(number);
    if (kind == null) {
      throw invalid(
          field, number == 0 ? "item kind is unspecified" : "unknown item kind " + number);
    }
    return kind;
  }

  /** Per-kind limits: {@code defaults} where unset or 0; above {@code max} is rejected. */
  public static int[] kindLimits(List<KindLimit> limits, String field, int[] defaults, int max) {
    int[] out = defaults.clone();
    boolean[] seen = new boolean[ItemKind.COUNT];
    for (int i = 0; i < limits.size(); i++) {
      KindLimit l = limits.get(i);
      String f = field + "[" + i + "]";
      ItemKind kind = kind(l.getKindValue(), f + ".kind");
      if (seen[kind.index()]) {
        throw invalid(f + ".kind", "kind " + kind.label() + " listed twice");
      }
      seen[kind.index()] = true;
      if (Integer.toUnsignedLong(l.getLimit()) > max) {
        throw invalid(
            f + ".limit", "must be <= " + max + ", was " + Integer.toUnsignedString(l.getLimit()));
      }
      if (l.getLimit() > 0) {
        out[kind.index()] = l.getLimit();
      }
    }
    return out;
  }

  /**
   * Candidates from a block, checking that the arrays agree, kinds are known and scores are finite.
   */
  public static Candidates candidates(CandidateBlock b, String field, int maxCandidates) {
    int n = b.getItemIdsCount();
    if (n > maxCandidates) {
      throw invalid(
          field + ".item_ids", "at most " + maxCandidates + " candidates per request, got " + n);
    }
    if (b.getKindsCount() != n || b.getScoresCount() != n) {
      throw invalid(
          field,
          "item_ids, kinds and scores must have the same length (got "
              + n
              + ", "
              + b.getKindsCount()
              + ", "
              + b.getScoresCount()
              + ")");
    }
    if (b.getChannelMasksCount() != 0 && b.getChannelMasksCount() != n) {
      throw invalid(
          field + ".channel_masks",
          "must be empty or as long as item_ids (" + n + "), was " + b.getChannelMasksCount());
    }
    long[] ids = new long[n];
    byte[] kinds = new byte[n];
    float[] scores = new float[n];
    int[] masks = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = b.getItemIds(i);
      int kind = b.getKindsValue(i);
      ItemKind k = ItemKind.ofCode(kind);
      // The field's name is built only for the error: per candidate it was the prerank service's
      // largest allocation site (2,000 strings a call, JFR).
      kinds[i] = (k != null ? k : kind(kind, field + ".kinds[" + i + "]")).code();
      float s = b.getScores(i);
      if (!Float.isFinite(s)) {
        throw invalid(field + ".scores[" + i + "]", "must be finite, was " + s);
      }
      scores[i] = s;
      masks[i] = b.getChannelMasksCount() == 0 ? 0 : b.getChannelMasks(i);
    }
    int duplicate = firstDuplicate(ids, n);
    if (duplicate >= 0) {
      throw invalid(
          field + ".item_ids",
          "item "
              + Long.toUnsignedString(ids[duplicate])
              + " appears more than once (again at"
              + " index "
              + duplicate
              + "); each candidate must be unique");
    }
    return new Candidates(ids, kinds, scores, masks, n);
  }

  /**
   * The index of the first id that already occurred earlier, or -1. An open-addressing set of the
   * ids seen (primitive longs, about 10 ns per id): a duplicate would be scored twice and could
   * fill a page twice.
   */
  static int firstDuplicate(long[] ids, int n) {
    if (n < 2) {
      return -1;
    }
    // A per-thread table reused across calls, emptied by a generation stamp rather than by clearing
    // or
    // allocating (JFR: the fresh table per request was the prerank service's largest allocation).
    DuplicateScratch t = DUPLICATES.get();
    int capacity = Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1;
    if (t.keys.length < capacity) {
      t = new DuplicateScratch(capacity);
      DUPLICATES.set(t);
    }
    if (t.generation == Integer.MAX_VALUE) {
      java.util.Arrays.fill(t.stamps, 0); // before the stamp wraps to values still in the table
      t.generation = 0;
    }
    int generation = ++t.generation;
    int mask = t.keys.length - 1;
    for (int i = 0; i < n; i++) {
      int slot = (int) io.rankingcluster.core.ShardFunction.mix64(ids[i]) & mask;
      while (t.stamps[slot] == generation) {
        if (t.keys[slot] == ids[i]) {
          return i;
        }
        slot = (slot + 1) & mask;
      }
      t.stamps[slot] = generation;
      t.keys[slot] = ids[i];
    }
    return -1;
  }

  private static final ThreadLocal<DuplicateScratch> DUPLICATES =
      ThreadLocal.withInitial(() -> new DuplicateScratch(4096));

  /**
   * An open-addressing set of ids whose slots count as used when stamped with the current
   * generation.
   */
  private static final class DuplicateScratch {
    final long[] keys;
    final int[] stamps;
    int generation;

    DuplicateScratch(int capacity) {
      keys = new long[capacity];
      stamps = new int[capacity];
    }
  }

  /** A block from candidates. */
  public static CandidateBlock block(Candidates c) {
    CandidateBlock.Builder b = CandidateBlock.newBuilder();
    for (int i = 0; i < c.size; i++) {
      b.addItemIds(c.ids[i])
          .addKindsValue(c.kinds[i])
          .addScores(c.scores[i])
          .addChannelMasks(c.channelMasks[i]);
    }
    return b.build();
  }

  /**
   * The user side of scoring from UserFeatures, checking array lengths, category ids against the
   * tree and that every number is finite.
   */
  public static UserSignals user(UserFeatures f, String field, CategoryTree tree, int maxRecent) {
    int n = f.getAffinityCategoryIdsCount();
    if (f.getAffinityWeightsCount() != n) {
      throw invalid(
          field + ".affinity_weights",
          "must be as long as affinity_category_ids ("
              + n
              + "), was "
              + f.getAffinityWeightsCount());
    }
    int[] cats = new int[n];
    float[] weights = new float[n];
    for (int i = 0; i < n; i++) {
      int c = f.getAffinityCategoryIds(i);
      if (c < 0 || c >= tree.leafCount()) {
        throw invalid(
            field + ".affinity_category_ids[" + i + "]",
            "unknown category "
                + Integer.toUnsignedString(c)
                + " (categories are 0.."
                + (tree.leafCount() - 1)
                + ")");
      }
      float w = f.getAffinityWeights(i);
      if (!(w >= 0 && w <= 1)) {
        throw invalid(field + ".affinity_weights[" + i + "]", "must be in [0, 1], was " + w);
      }
      cats[i] = c;
      weights[i] = w;
    }
    float price = f.getTypicalPrice();
    if (!(price >= 0) || Float.isInfinite(price)) {
      throw invalid(field + ".typical_price", "must be finite and >= 0, was " + price);
    }
    if (f.getRecentItemIdsCount() > maxRecent) {
      throw invalid(
          field + ".recent_item_ids",
          "at most " + maxRecent + " ids, got " + f.getRecentItemIdsCount());
    }
    for (int i = 0; i < f.getUserVectorCount(); i++) {
      if (!Float.isFinite(f.getUserVector(i))) {
        throw invalid(
            field + ".user_vector[" + i + "]", "must be finite, was " + f.getUserVector(i));
      }
    }
    long[] recent = new long[f.getRecentItemIdsCount()];
    for (int i = 0; i < recent.length; i++) {
      recent[i] = f.getRecentItemIds(i);
    }
    return new UserSignals(
        new Affinities(cats, weights),
        price,
        recent,
        f.getColdStart(),
        tree.parentCount(),
        tree.leavesPerParent());
  }

  /** The user vector; empty, or exactly {@code dimension} finite floats, else INVALID_ARGUMENT. */
  public static float[] userVector(UserFeatures f, String field, int dimension) {
    int n = f.getUserVectorCount();
    if (n != 0 && n != dimension) {
      throw invalid(
          field + ".user_vector",
          "has " + n + " dimensions; this snapshot's embeddings have " + dimension);
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = f.getUserVector(i);
      if (!Float.isFinite(v[i])) {
        throw invalid(field + ".user_vector[" + i + "]", "must be finite, was " + v[i]);
      }
    }
    return v;
  }

  /** UserFeatures from what the mixer computed. */
  public static UserFeatures features(UserSignals u) {
    UserFeatures.Builder b =
        UserFeatures.newBuilder().setTypicalPrice(u.typicalPrice).setColdStart(u.coldStart);
    for (long id : u.recentItemIds) {
      b.addRecentItemIds(id);
    }
    for (int i = 0; i < u.affinities.categories().length; i++) {
      b.addAffinityCategoryIds(u.affinities.categories()[i])
          .addAffinityWeights(u.affinities.weights()[i]);
    }
    return b.build();
  }

  /** The request's client time in ms, or now when unset; negative is rejected. */
  public static long clientTimeMs(RequestContext ctx, String field) {
    long t = ctx.getClientTimeMs();
    if (t < 0) {
      throw invalid(field + ".client_time_ms", "must be >= 0 (ms since the Unix epoch), was " + t);
    }
    return t == 0 ? System.currentTimeMillis() : t;
  }

  /** Country index in {@link Catalog#COUNTRIES}, -1 when empty; an unknown code is rejected. */
  public static int country(RequestContext ctx, String field) {
    String code = ctx.getCountry();
    if (code.isEmpty()) {
      return -1;
    }
    int idx = Catalog.countryIndex(code.toUpperCase(java.util.Locale.ROOT));
    if (idx < 0) {
      throw invalid(
          field + ".country",
          "unknown country '" + code + "' (known: " + String.join(", ", Catalog.COUNTRIES) + ")");
    }
    return idx;
  }
}
