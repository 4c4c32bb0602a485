package io.rankingcluster.prerank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.snapshot.Snapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one snapshot version gives the prerank stage: item table, category tree, embedding size, and
 * its scorers by model version.
 */
public record PrerankData(
    String version,
    Catalog catalog,
    CategoryTree tree,
    PrerankScorer scorer,
    int dimension,
    Map<String, PrerankScorer> byModelVersion) {
  /**
   * The snapshot's trained prerank model when it ships one (else the prior weights), plus its
   * variants.
   */
  public static PrerankData of(Snapshot s) {
    PrerankScorer main =
        new PrerankScorer(s.catalog(), s.itemEmbeddings(), SnapshotModels.get(s, "prerank"));
    Map<String, PrerankScorer> all = new LinkedHashMap<>();
    all.put(main.modelVersion(), main);
    for (MultiTaskModel variant : SnapshotModels.variants(s, "prerank")) {
      PrerankScorer v = new PrerankScorer(s.catalog(), s.itemEmbeddings(), variant);
      all.put(v.modelVersion(), v);
    }
    return new PrerankData(
        s.version(),
        s.catalog(),
        s.categories(),
        main,
        s.itemEmbeddings().dimension(),
        Map.copyOf(all));
  }
}
