package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.user.UserProfiles.Affinities;

/**
 * One recall request as the channels see it: who, where, when, what to leave out, and how many.
 * {@link #admits(int)} is the shared filter every channel applies while it collects, so that a
 * channel's quota is filled with items that can actually be served.
 */
public final class RecallQuery {
  public final Catalog catalog;
  public final long[] recentItemIds;

  /** The user vector in the item embedding space; empty when unknown. */
  public final float[] userVector;

  public final Affinities affinities;

  /** Index into {@link Catalog#COUNTRIES}, or -1 for no country restriction. */
  public final int country;

  /** The request's client time, ms since the epoch: "live now" is judged at it. */
  public final long timeMs;

  /** {@code timeMs} as a minute of the UTC day, computed once for the live-now filter. */
  private final int minuteOfDay;

  /**
   * The catalog rows of the excluded ids as an open-addressing set (ids the catalog does not hold
   * cannot be offered anyway): a power-of-two table of rows + 1, 0 for empty, at most a quarter
   * full. Every channel asks it about every row it offers; a binary search over the sorted rows was
   * an eighth of a shard's CPU (JFR), a lookup here is about one probe in a table that stays in L1.
   */
  private final int[] excludedTable;

  private final int excludedShift;

  private final int[] kindLimits;

  public RecallQuery(
      Catalog catalog,
      long[] recentItemIds,
      Affinities affinities,
      int country,
      long timeMs,
      long[] excludeIds,
      int[] kindLimits) {
    this(catalog, recentItemIds, new float[0], affinities, country, timeMs, excludeIds, kindLimits);
  }

  public RecallQuery(
      Catalog catalog,
      long[] recentItemIds,
      float[] userVector,
      Affinities affinities,
      int country,
      long timeMs,
      long[] excludeIds,
      int[] kindLimits) {
    this.userVector = userVector;
    if (kindLimits.length != ItemKind.COUNT) {
      throw new IllegalArgumentException("kindLimits needs one entry per kind");
    }
    this.catalog = catalog;
    this.recentItemIds = recentItemIds;
    this.affinities = affinities;
    this.country = country;
    this.timeMs = timeMs;
    this.minuteOfDay = Catalog.minuteOfDay(timeMs);
    int[] rows = rowsOf(catalog, excludeIds);
    int bits = rows.length == 0 ? 0 : 34 - Integer.numberOfLeadingZeros(rows.length);
    this.excludedTable = new int[rows.length == 0 ? 0 : 1 << bits];
    this.excludedShift = 32 - bits;
    for (int row : rows) {
      int i = slot(row, excludedShift);
      while (excludedTable[i] != 0 && excludedTable[i] != row + 1) {
        i = (i + 1) & (excludedTable.length - 1);
      }
      excludedTable[i] = row + 1;
    }
    this.kindLimits = kindLimits.clone();
  }

  /** Most candidates of a kind this shard returns. */
  public int kindLimit(byte kindCode) {
    return kindLimits[kindCode - 1];
  }

  /**
   * Whether a row may be recalled: not excluded, sold in the request's country, in stock, and, for
   * a live stream, on air at the request's time; kinds with limit 0 are not wanted.
   */
  public boolean admits(int row) {
    byte kind = catalog.kinds[row];
    if (kindLimits[kind - 1] == 0 || !catalog.inStock[row] || !catalog.soldIn(row, country)) {
      return false;
    }
    if (kind == ItemKind.LIVE_STREAM.code() && !catalog.liveAtMinute(row, minuteOfDay)) {
      return false;
    }
    return excludedTable.length == 0 || !excluded(row);
  }

  private boolean excluded(int row) {
    int[] t = excludedTable;
    int mask = t.length - 1;
    for (int i = slot(row, excludedShift); ; i = (i + 1) & mask) {
      int v = t[i];
      if (v == 0) {
        return false;
      }
      if (v == row + 1) {
        return true;
      }
    }
  }

  /** Fibonacci hashing: the row times 2^32 / phi, its top bits as the slot. */
  private static int slot(int row, int shift) {
    return (row * 0x9E3779B9) >>> shift;
  }

  /** The minute of the UTC day the query is judged at. */
  public int minuteOfDay() {
    return minuteOfDay;
  }

  private static int[] rowsOf(Catalog catalog, long[] ids) {
    int[] rows = new int[ids.length];
    int n = 0;
    for (long id : ids) {
      int row = catalog.index.rowOf(id);
      if (row >= 0) {
        rows[n++] = row;
      }
    }
    return java.util.Arrays.copyOf(rows, n);
  }
}
