package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;

/**
 * The most clicked items per kind and country. The channel's quota is split over the kinds the query
 * wants, in proportion to their kind limits, so that one kind cannot crowd out the others.
 */
public final class PopularCandidateSource implements CandidateSource {
  private final float[] score;
  /** [country + 1][kind index]: rows sold there, most popular first; country slot 0 = any country. */
  private final int[][][] lists;

  public PopularCandidateSource(Catalog catalog) {
    score = Popularity.scores(catalog);
    lists = new int[Catalog.COUNTRIES.length + 1][ItemKind.COUNT][];
    for (int c = -1; c < Catalog.COUNTRIES.length; c++) {
      for (ItemKind k : ItemKind.values()) {
        final int country = c;
        final byte code = k.code();
        lists[c + 1][k.index()] =
            Popularity.sortedRows(catalog, score, row -> catalog.kinds[row] == code && catalog.soldIn(row, country));
      }
    }
  }

  @Override
  public Channel channel() {
    return Channel.POPULAR;
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    int totalLimit = 0;
    for (ItemKind k : ItemKind.values()) {
      totalLimit += query.kindLimit(k.code());
    }
    if (totalLimit == 0) {
      return;
    }
    int budget = sink.limit();
    for (ItemKind k : ItemKind.values()) {
      int share = (int) Math.ceil((double) budget * query.kindLimit(k.code()) / totalLimit);
      int start = sink.size();
      for (int row : lists[query.country + 1][k.index()]) {
        if (sink.size() - start >= share || !sink.offer(row, score[row])) {
          break;
        }
      }
    }
  }
}
