package io.rankingcluster.core.pipeline;

/** Acts on the finished page (the next-page token, a serve-time log) without changing it. */
public interface SideEffect<S extends PipelineState> extends Component<S> {
  void apply(S state);
}
