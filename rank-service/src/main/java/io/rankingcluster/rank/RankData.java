package io.rankingcluster.rank;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.model.HeadModel;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one snapshot version gives the rank stage: item table, category tree, embedding size, and
 * its scorers by model version.
 */
public record RankData(
    String version,
    Catalog catalog,
    CategoryTree tree,
    RankScorer scorer,
    int dimension,
    Map<String, RankScorer> byModelVersion) {
  /**
   * The snapshot's trained rank model when it ships one (else the prior weights), plus its
   * variants.
   */
  public static RankData of(Snapshot s, ValueFormula formula) {
    return of(s, formula, List.of(), null);
  }

  /**
   * As {@link #of(Snapshot, ValueFormula)}, plus models given from outside the snapshot (ONNX
   * files), each served under its own version over this snapshot's items.
   *
   * @param defaultVersion the version that serves calls asking for none; null: the snapshot's rank
   *     model
   * @throws IllegalArgumentException when an extra model's version is one the snapshot already
   *     serves, or the default is none of the versions held
   */
  public static RankData of(
      Snapshot s, ValueFormula formula, List<? extends HeadModel> extra, String defaultVersion) {
    RankScorer main =
        new RankScorer(s.catalog(), formula, s.itemEmbeddings(), SnapshotModels.get(s, "rank"));
    Map<String, RankScorer> all = new LinkedHashMap<>();
    all.put(main.modelVersion(), main);
    for (MultiTaskModel variant : SnapshotModels.variants(s, "rank")) {
      RankScorer v = new RankScorer(s.catalog(), formula, s.itemEmbeddings(), variant);
      all.put(v.modelVersion(), v);
    }
    for (HeadModel m : extra) {
      if (all.containsKey(m.version())) {
        throw new IllegalArgumentException(
            "model version '"
                + m.version()
                + "' of "
                + m
                + " is already served by snapshot "
                + s.version()
                + "; give the extra model another version (--onnx-model-version)");
      }
      all.put(m.version(), new RankScorer(s.catalog(), formula, s.itemEmbeddings(), m));
    }
    if (defaultVersion != null) {
      main = all.get(defaultVersion);
      if (main == null) {
        throw new IllegalArgumentException(
            "default rank model '"
                + defaultVersion
                + "' is not held (held: "
                + String.join(", ", all.keySet())
                + ")");
      }
    }
    return new RankData(
        s.version(),
        s.catalog(),
        s.categories(),
        main,
        s.itemEmbeddings().dimension(),
        Map.copyOf(all));
  }
}
