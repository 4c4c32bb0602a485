package io.rankingcluster.mixer;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.recall.Popularity;
import io.rankingcluster.core.recall.RecallQuery;
import io.rankingcluster.core.user.UserProfiles;

/**
 * The candidates of a page when no recall shard answers: the snapshot's most clicked items sold in
 * the request's country and in stock, built once per snapshot version ({@link MixerData}), so that
 * a recall outage costs personalisation, not the page. At request time the list is walked in
 * popularity order through the same admission as recall's channels ({@link RecallQuery#admits}: the
 * kinds the request allows, live streams on air at its time, the ids served on earlier pages left
 * out) until each kind's quota is filled; prerank and rank then score them as usual.
 */
final class LastResort {
  /** The placement rule of every item of a last-resort page. */
  static final String PLACEMENT_RULE = "last_resort";

  /** The cause of the recall source's degraded reason on a last-resort page. */
  static final String CAUSE = "last_resort";

  /**
   * Rows kept per country, most clicked first: enough for every quota after the served ids and the
   * off-air streams are left out (a session is a few pages of 20).
   */
  static final int ROWS_PER_COUNTRY = 20_000;

  private final Catalog catalog;

  /** Per country index + 1 (0: no country), catalog rows most clicked first. */
  private final int[][] rows;

  /** Recall's popularity score per row ({@link Popularity#scores}): what prerank falls back to. */
  private final float[] score;

  private LastResort(Catalog catalog, int[][] rows, float[] score) {
    this.catalog = catalog;
    this.rows = rows;
    this.score = score;
  }

  /** The lists of one catalog, from its rows ordered by clicks (most first). */
  static LastResort of(Catalog c, int[] byClicks) {
    int[][] rows = new int[Catalog.COUNTRIES.length + 1][];
    for (int country = -1; country < Catalog.COUNTRIES.length; country++) {
      int[] kept = new int[Math.min(ROWS_PER_COUNTRY, byClicks.length)];
      int n = 0;
      for (int i = 0; i < byClicks.length && n < kept.length; i++) {
        int row = byClicks[i];
        if (c.inStock[row] && c.soldIn(row, country)) {
          kept[n++] = row;
        }
      }
      rows[country + 1] = java.util.Arrays.copyOf(kept, n);
    }
    return new LastResort(c, rows, Popularity.scores(c));
  }

  /**
   * Up to {@code perKind[kind index]} candidates per kind for a request from {@code country} (-1:
   * none) at {@code timeMs}, leaving out {@code served}; kinds with quota 0 are not wanted.
   */
  CandidateTable candidates(int country, long timeMs, long[] served, int[] perKind) {
    int[] limits = new int[ItemKind.COUNT];
    int wanted = 0;
    for (int k = 0; k < ItemKind.COUNT; k++) {
      limits[k] = Math.max(0, perKind[k]);
      wanted += limits[k];
    }
    RecallQuery admission =
        new RecallQuery(
            catalog,
            new long[0],
            new UserProfiles.Affinities(new int[0], new float[0]),
            country,
            timeMs,
            served,
            limits);
    int[] list = rows[country + 1];
    int[] taken = new int[ItemKind.COUNT];
    CandidateTable t = new CandidateTable(Math.min(wanted, list.length));
    for (int i = 0; i < list.length && t.size() < wanted; i++) {
      int row = list[i];
      int k = catalog.kinds[row] - 1;
      if (taken[k] < limits[k] && admission.admits(row)) {
        taken[k]++;
        t.add(catalog.ids[row], catalog.kinds[row], 0, score[row]);
      }
    }
    return t;
  }
}
