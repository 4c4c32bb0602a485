package io.rankingcluster.core.pipeline;

/**
 * Drops candidates that must not be served: sets {@code keep[i] = false} for each (keep arrives all
 * true).
 */
public interface Filter<S extends PipelineState> extends Component<S> {
  void filter(S state, CandidateTable in, boolean[] keep);
}
