package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;

/**
 * The most clicked items per kind and country. The channel's quota is split over the kinds the
 * query wants, in proportion to their kind limits, so that one kind cannot crowd out the others.
 */
public final class PopularCandidateSource implements CandidateSource {
  private final float[] score;

  /**
   * [country + 1][kind index]: rows sold there, most popular first; country slot 0 = any country.
   */
  private final int[][][] lists;

  public PopularCandidateSource(Catalog catalog) {
    score = Popularity.scores(catalog);
    lists = new int[Catalog.COUNTRIES.length + 1][ItemKind.COUNT][];
    for (int c = -1; c < Catalog.COUNTRIES.length; c++) {
      for (ItemKind k : ItemKind.values()) {
        final int country = c;
        final byte code = k.code();
        lists[c + 1][k.index()] =
            Popularity.sortedRows(
                catalog, score, row -> catalog.kinds[row] == code && catalog.soldIn(row, country));
      }
    }
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
    int[] next = new int[ItemKind.COUNT];
    for (ItemKind k : ItemKind.values()) {
      int share = (int) Math.ceil((double) budget * query.kindLimit(k.code()) / totalLimit);
      next[k.index()] = fill(lists[query.country + 1][k.index()], 0, share, sink);
    }
    // A kind with too few items leaves part of its share unused: the other kinds continue their
    // lists.
    for (ItemKind k : ItemKind.values()) {
      if (sink.full()) {
        break;
      }
      if (query.kindLimit(k.code()) > 0) {
        fill(lists[query.country + 1][k.index()], next[k.index()], Integer.MAX_VALUE, sink);
      }
    }
  }

  /**
   * Offers list[from..] until {@code count} were taken or the sink is full; returns where it
   * stopped.
   */
  private int fill(int[] list, int from, int count, CandidateSink sink) {
    int start = sink.size();
    int i = from;
    while (i < list.length && sink.size() - start < count && !sink.full()) {
      sink.offer(list[i], score[list[i]]);
      i++;
    }
    return i;
  }
}
