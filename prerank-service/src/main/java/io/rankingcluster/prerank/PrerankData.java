package io.rankingcluster.prerank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.snapshot.Snapshot;

/** What one snapshot version gives the prerank stage: its item table, category tree, and the scorer over them. */
public record PrerankData(String version, Catalog catalog, CategoryTree tree, PrerankScorer scorer) {
  public static PrerankData of(Snapshot s) {
    return new PrerankData(s.version(), s.catalog(), s.categories(), new PrerankScorer(s.catalog()));
  }
}
