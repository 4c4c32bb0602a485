package io.rankingcluster.rank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.snapshot.Snapshot;

/** What one snapshot version gives the rank stage: item table, category tree, embedding size, and the scorer. */
public record RankData(String version, Catalog catalog, CategoryTree tree, RankScorer scorer, int dimension) {
  /** The snapshot's trained rank model when it ships one, else the prior weights. */
  public static RankData of(Snapshot s, ValueFormula formula) {
    return new RankData(s.version(), s.catalog(), s.categories(),
        new RankScorer(s.catalog(), formula, s.itemEmbeddings(), SnapshotModels.get(s, "rank")), s.itemEmbeddings().dimension());
  }
}
