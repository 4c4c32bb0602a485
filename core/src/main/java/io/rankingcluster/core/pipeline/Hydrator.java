package io.rankingcluster.core.pipeline;

/**
 * Adds what the request needs before candidates exist: the experiment arm, the user's state, the
 * query's meaning.
 */
public interface Hydrator<S extends PipelineState> extends Component<S> {
  void hydrate(S state);
}
