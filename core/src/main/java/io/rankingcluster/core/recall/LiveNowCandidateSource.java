package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;

/**
 * Live streams on air at the request's client time, most watched first. The query's filter drops
 * the streams that are off air, so this walks the popularity-ordered list of all streams.
 */
public final class LiveNowCandidateSource implements CandidateSource {
  private final int[] streams;
  private final float[] score;

  public LiveNowCandidateSource(Catalog catalog) {
    score = Popularity.scores(catalog);
    streams =
        Popularity.sortedRows(
            catalog, score, row -> catalog.kinds[row] == ItemKind.LIVE_STREAM.code());
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    for (int row : streams) {
      if (!sink.offer(row, score[row])) {
        break;
      }
    }
  }
}
