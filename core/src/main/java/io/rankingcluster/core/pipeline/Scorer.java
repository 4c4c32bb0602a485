package io.rankingcluster.core.pipeline;

/**
 * Scores every input candidate, in input order: writes {@link CandidateTable#scores} (and any head
 * columns it owns) for each of {@code in}'s rows, NaN for a candidate it cannot score (the executor
 * then drops it). It neither reorders nor cuts: a {@link Selector} does that. A scorer that throws
 * leaves the table unchanged, and is not called for an empty table.
 */
public interface Scorer<S extends PipelineState> extends Component<S> {
  void score(S state, CandidateTable in);
}
