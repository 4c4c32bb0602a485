package io.rankingcluster.mixer;

import io.rankingcluster.core.blend.Blender;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.Blend;
import io.rankingcluster.core.pipeline.CandidateTable;

/**
 * The page from the ranked candidates under the arm's blend rules ({@link Blender}: kind shares,
 * position and seller rules, MMR diversity over item embeddings from the hot-embedding cache, the
 * exploration slot for items created within the rules' age of the request's time).
 */
final class SlotBlend implements Blend<RecommendState> {
  private final EmbeddingCache embeddings;

  SlotBlend(EmbeddingCache embeddings) {
    this.embeddings = embeddings;
  }

  @Override
  public String id() {
    return "blend";
  }

  @Override
  public Blender.Placement[] blend(RecommendState s, CandidateTable in) {
    BlendSettings.Named rules = s.rules;
    Catalog catalog = s.data.catalog();
    int n = in.size();
    long[] sellers = new long[n];
    for (int i = 0; i < n; i++) {
      int row = catalog.index.rowOf(in.ids[i]);
      sellers[i] = row < 0 ? -1 - i : catalog.sellers[row];
    }
    EmbeddingCache.Lookup vectors =
        rules.mmrLambda() >= 1f
            ? null
            : embeddings.get(
                s.data.version(), in.ids, n, s.budget.stageNanos(Budget.BLEND), s.downstream);
    boolean[] fresh = null;
    if (rules.config().explorationSlot() > 0) {
      fresh = new boolean[n];
      // Ages count from the request's client time, or from the snapshot's newest item when the
      // client's clock
      // is past it: a replayed or demo catalog would otherwise have no fresh item at all.
      long since =
          Math.min(s.request.clientTimeMs(), s.data.newestItemMs()) - rules.explorationMaxAgeMs();
      for (int i = 0; i < n; i++) {
        int row = catalog.index.rowOf(in.ids[i]);
        fresh[i] = row >= 0 && catalog.createdMs[row] >= since;
      }
    }
    Blender.Placement[] page =
        new Blender(rules.config())
            .blend(
                in.kinds,
                sellers,
                n,
                s.request.pageSize(),
                s.request.allowedKinds(),
                diversity(vectors, in, rules.mmrLambda()),
                fresh);
    s.trace()
        .detail(
            "config " + rules.name() + "; " + (vectors == null ? "mmr off" : cacheDetail(vectors)));
    return page;
  }

  /**
   * MMR inputs for the ranked candidates: their values and unit-length embeddings (null when MMR is
   * off).
   */
  private static Blender.Diversity diversity(
      EmbeddingCache.Lookup vectors, CandidateTable in, float lambda) {
    if (vectors == null) {
      return null;
    }
    int dim = 0;
    for (float[] v : vectors.vectors()) {
      if (v != null) {
        dim = v.length;
        break;
      }
    }
    if (dim == 0) {
      return null;
    }
    int n = in.size();
    float[] unit = new float[n * dim];
    for (int i = 0; i < n; i++) {
      float[] v = vectors.vectors()[i];
      if (v == null || v.length != dim) {
        continue; // not loaded in time: this item gets no similarity penalty
      }
      float norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
      for (int k = 0; k < dim; k++) {
        unit[i * dim + k] = v[k] * inv;
      }
    }
    return new Blender.Diversity(java.util.Arrays.copyOf(in.values, n), unit, dim, lambda);
  }

  static String cacheDetail(EmbeddingCache.Lookup l) {
    return "embeddings: "
        + l.hits()
        + " cache hits, "
        + l.misses()
        + " misses, "
        + l.loaded()
        + " loaded in "
        + l.calls()
        + " GetEmbeddings calls";
  }
}
