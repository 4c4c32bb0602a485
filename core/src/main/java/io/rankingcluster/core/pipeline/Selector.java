package io.rankingcluster.core.pipeline;

/**
 * Orders, cuts or extends the candidates (a per-kind cut, a quota, exploration): returns the table
 * the next component sees ({@code in} itself when nothing changes). It must not change {@code in}'s
 * rows in place.
 */
public interface Selector<S extends PipelineState> extends Component<S> {
  CandidateTable select(S state, CandidateTable in);
}
