package io.rankingcluster.core.recall;

import io.rankingcluster.core.catalog.Catalog;

/**
 * The most clicked items in each leaf category the user is interested in; the quota is split over
 * the user's categories by affinity weight, and an item's score is its popularity times that
 * weight.
 */
public final class CategoryCandidateSource implements CandidateSource {
  private final float[] score;
  private final int[][] byCategory;

  public CategoryCandidateSource(Catalog catalog) {
    score = Popularity.scores(catalog);
    byCategory = new int[catalog.categoryCount][];
    for (int c = 0; c < catalog.categoryCount; c++) {
      final int leaf = c;
      byCategory[c] = Popularity.sortedRows(catalog, score, row -> catalog.categories[row] == leaf);
    }
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    int[] cats = query.affinities.categories();
    float[] weights = query.affinities.weights();
    int budget = sink.limit();
    for (int i = 0; i < cats.length && !sink.full(); i++) {
      int share = (int) Math.ceil(budget * weights[i]);
      int start = sink.size();
      for (int row : byCategory[cats[i]]) {
        if (sink.size() - start >= share || !sink.offer(row, weights[i] * score[row])) {
          break;
        }
      }
    }
  }
}
