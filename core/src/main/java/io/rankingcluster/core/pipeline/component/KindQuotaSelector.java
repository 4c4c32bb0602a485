package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Selector;
import java.util.function.ToIntFunction;

/**
 * At most {@code max} candidates, split over the kinds in proportion to {@code weights} (prerank
 * scores are click probabilities, not comparable values across kinds: a cut by score alone would
 * starve the kinds with lower click rates, such as live streams). A kind with fewer candidates
 * leaves its share to the others, in kind order. Within a kind, best score first; the result is
 * ordered by score. The quota may be the request's own (the mixer's quality factor shrinks it under
 * load).
 */
public final class KindQuotaSelector<S extends PipelineState> implements Selector<S> {
  private final String id;
  private final ToIntFunction<S> max;
  private final int[] weights;

  public KindQuotaSelector(String id, int max, int[] weights) {
    this(id, checked(max), weights);
  }

  /** The quota of each request from {@code max} (at least 1 is kept). */
  public KindQuotaSelector(String id, ToIntFunction<S> max, int[] weights) {
    if (weights.length != ItemKind.COUNT) {
      throw new IllegalArgumentException("one weight per kind is needed");
    }
    this.id = id;
    this.max = max;
    this.weights = weights.clone();
  }

  private static <S> ToIntFunction<S> checked(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a quota of at least 1 is needed, was " + max);
    }
    return s -> max;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public CandidateTable select(S state, CandidateTable in) {
    int max = Math.max(1, this.max.applyAsInt(state));
    int size = in.size();
    if (size <= max) {
      return in;
    }
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int[] available = new int[ItemKind.COUNT];
    for (int i = 0; i < size; i++) {
      available[in.kinds[i] - 1]++;
    }
    int[] quota = new int[ItemKind.COUNT];
    int assigned = 0;
    for (int k = 0; k < ItemKind.COUNT; k++) {
      quota[k] = Math.min(available[k], (int) ((long) max * weights[k] / Math.max(1, total)));
      assigned += quota[k];
    }
    for (int k = 0; k < ItemKind.COUNT && assigned < max; k++) {
      int extra = Math.min(max - assigned, available[k] - quota[k]);
      quota[k] += extra;
      assigned += extra;
    }
    int[] order = in.orderByScore();
    int[] taken = new int[ItemKind.COUNT];
    int[] kept = new int[assigned];
    int n = 0;
    for (int i : order) {
      int k = in.kinds[i] - 1;
      if (taken[k] < quota[k]) {
        taken[k]++;
        kept[n++] = i;
      }
    }
    return in.reorder(kept, n);
  }
}
