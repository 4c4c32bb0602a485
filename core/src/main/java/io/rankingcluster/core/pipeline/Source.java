package io.rankingcluster.core.pipeline;

/**
 * Finds the candidates of a request (sharded recall, caller-given ids, text recall). The table it
 * returns becomes both the pipeline's candidates and {@link PipelineState#recalled()}.
 */
public interface Source<S extends PipelineState> extends Component<S> {
  CandidateTable fetch(S state);
}
