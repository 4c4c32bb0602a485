package io.rankingcluster.core.recall;

import io.rankingcluster.core.catalog.Catalog;

/**
 * Cold start for items: items created within {@link #WINDOW_MS} of the catalog's newest item and
 * shown fewer than {@link #MAX_IMPRESSIONS} times, newest first; the score falls linearly with age.
 *
 * <p>Age is measured from the catalog's newest item, not from the request's clock: a snapshot
 * describes the shop as of its build, and an old snapshot should still surface what was new in it.
 */
public final class FreshCandidateSource implements CandidateSource {
  static final long WINDOW_MS = 3L * 86_400_000L;
  static final int MAX_IMPRESSIONS = 50;
  private final int[] rows;
  private final float[] score;

  public FreshCandidateSource(Catalog catalog) {
    long newest = Long.MIN_VALUE;
    for (long t : catalog.createdMs) {
      newest = Math.max(newest, t);
    }
    final long asOf = newest;
    score = new float[catalog.size()];
    for (int i = 0; i < score.length; i++) {
      score[i] = Math.max(0f, 1f - (float) (asOf - catalog.createdMs[i]) / WINDOW_MS);
    }
    rows =
        Popularity.sortedRows(
            catalog,
            score,
            row ->
                asOf - catalog.createdMs[row] <= WINDOW_MS
                    && catalog.impressions[row] < MAX_IMPRESSIONS);
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    for (int row : rows) {
      if (!sink.offer(row, score[row])) {
        break;
      }
    }
  }
}
