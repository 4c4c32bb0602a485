package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Selector;

/**
 * Orders by score (best first, ties in input order) and keeps the best {@code topK[kind index]} of
 * each kind: prerank's survivors. When prerank fell back, the scores are recall's, and this is the
 * cut of recall order.
 */
public final class PerKindCutSelector<S extends PipelineState> implements Selector<S> {
  private final java.util.function.Function<S, int[]> topK;

  public PerKindCutSelector(int[] topK) {
    if (topK.length != ItemKind.COUNT) {
      throw new IllegalArgumentException("topK needs one entry per kind, got " + topK.length);
    }
    int[] fixed = topK.clone();
    this.topK = s -> fixed;
  }

  /** With the sizes per kind of each request (a prerank request's top_k_per_kind). */
  public PerKindCutSelector(java.util.function.Function<S, int[]> topK) {
    this.topK = topK;
  }

  @Override
  public String id() {
    return "per_kind_cut";
  }

  @Override
  public CandidateTable select(S state, CandidateTable in) {
    int[] topK = this.topK.apply(state);
    int[] order = in.orderByScore();
    int[] taken = new int[ItemKind.COUNT];
    int[] kept = new int[in.size()];
    int n = 0;
    boolean same = true;
    for (int j = 0; j < order.length; j++) {
      int i = order[j];
      int k = in.kinds[i] - 1;
      if (taken[k] < topK[k]) {
        taken[k]++;
        kept[n++] = i;
        same &= i == j;
      } else {
        same = false;
      }
    }
    return same ? in : in.reorder(kept, n);
  }
}
