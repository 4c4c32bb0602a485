package io.rankingcluster.prerank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.snapshot.Snapshot;

/** What one snapshot version gives the prerank stage: item table, category tree, embedding size, and the scorer. */
public record PrerankData(String version, Catalog catalog, CategoryTree tree, PrerankScorer scorer, int dimension) {
  /** The snapshot's trained prerank model when it ships one, else the prior weights. */
  public static PrerankData of(Snapshot s) {
    return new PrerankData(s.version(), s.catalog(), s.categories(),
        new PrerankScorer(s.catalog(), s.itemEmbeddings(), SnapshotModels.get(s, "prerank")), s.itemEmbeddings().dimension());
  }
}
