package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.catalog.LongIndex;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Filter;
import io.rankingcluster.core.pipeline.PipelineState;
import java.util.function.Function;

/**
 * Drops items the request must not show again (served on earlier pages): recall is asked to leave
 * them out already, so this only holds when a source did not (a shard of another build, a
 * caller-given list).
 */
public final class ExcludedItemsFilter<S extends PipelineState> implements Filter<S> {
  private final String id;
  private final Function<S, long[]> excluded;

  public ExcludedItemsFilter(String id, Function<S, long[]> excluded) {
    this.id = id;
    this.excluded = excluded;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void filter(S state, CandidateTable in, boolean[] keep) {
    long[] ids = excluded.apply(state);
    if (ids.length == 0) {
      return;
    }
    LongIndex index = new LongIndex(distinct(ids));
    for (int i = 0; i < in.size(); i++) {
      keep[i] = index.rowOf(in.ids[i]) < 0;
    }
  }

  private static long[] distinct(long[] ids) {
    long[] sorted = ids.clone();
    java.util.Arrays.sort(sorted);
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[n++] = sorted[i];
      }
    }
    return java.util.Arrays.copyOf(sorted, n);
  }
}
