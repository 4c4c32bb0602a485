package io.rankingcluster.rank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;

/** What one snapshot version gives the rank stage: its item table, category tree, and the scorer over them. */
public record RankData(String version, Catalog catalog, CategoryTree tree, RankScorer scorer) {
  public static RankData of(Snapshot s, ValueFormula formula) {
    return new RankData(s.version(), s.catalog(), s.categories(), new RankScorer(s.catalog(), formula));
  }
}
