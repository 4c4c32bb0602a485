package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Filter;
import io.rankingcluster.core.pipeline.PipelineState;
import java.util.function.Function;

/**
 * Drops the kinds a request leaves out (its kinds filter); {@code allowed[kind index]} per request.
 */
public final class KindFilter<S extends PipelineState> implements Filter<S> {
  private final Function<S, boolean[]> allowed;

  public KindFilter(Function<S, boolean[]> allowed) {
    this.allowed = allowed;
  }

  @Override
  public String id() {
    return "kinds_filter";
  }

  @Override
  public void filter(S state, CandidateTable in, boolean[] keep) {
    boolean[] ok = allowed.apply(state);
    for (int i = 0; i < in.size(); i++) {
      keep[i] = ok[in.kinds[i] - 1];
    }
  }
}
