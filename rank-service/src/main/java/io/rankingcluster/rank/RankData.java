package io.rankingcluster.rank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import java.util.LinkedHashMap;
import java.util.Map;
import io.rankingcluster.core.snapshot.Snapshot;

/** What one snapshot version gives the rank stage: item table, category tree, embedding size, and its scorers by model version. */
public record RankData(String version, Catalog catalog, CategoryTree tree, RankScorer scorer, int dimension,
    Map<String, RankScorer> byModelVersion) {
  /** The snapshot's trained rank model when it ships one (else the prior weights), plus its variants. */
  public static RankData of(Snapshot s, ValueFormula formula) {
    RankScorer main = new RankScorer(s.catalog(), formula, s.itemEmbeddings(), SnapshotModels.get(s, "rank"));
    Map<String, RankScorer> all = new LinkedHashMap<>();
    all.put(main.modelVersion(), main);
    for (MultiTaskModel variant : SnapshotModels.variants(s, "rank")) {
      RankScorer v = new RankScorer(s.catalog(), formula, s.itemEmbeddings(), variant);
      all.put(v.modelVersion(), v);
    }
    return new RankData(s.version(), s.catalog(), s.categories(), main, s.itemEmbeddings().dimension(), Map.copyOf(all));
  }
}
