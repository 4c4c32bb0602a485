package io.rankingcluster.core.pipeline;

import io.rankingcluster.core.blend.Blender;

/**
 * The state one request carries through a {@link Pipeline}: the candidates as they stand, what the
 * source found, the page once blended, and the trace. A pipeline's own state type extends it with
 * the request's parts (the user, the budget, the arm).
 */
public class PipelineState {
  private final Trace trace;
  CandidateTable candidates = CandidateTable.empty();
  CandidateTable recalled = CandidateTable.empty();
  Blender.Placement[] page;

  public PipelineState(Trace trace) {
    this.trace = trace;
  }

  public final Trace trace() {
    return trace;
  }

  /** The candidates as the last component left them. */
  public final CandidateTable candidates() {
    return candidates;
  }

  /** What the source returned (its identity columns and recall scores never change). */
  public final CandidateTable recalled() {
    return recalled;
  }

  /** Placements into {@link #candidates()} in display order; null until the blend ran. */
  public final Blender.Placement[] page() {
    return page;
  }

  /** Replaces the candidates (a source's fallback, tests). */
  public final void setCandidates(CandidateTable table) {
    candidates = table;
  }

  /** Candidates now: the page's size once blended, else the table's. */
  final int count() {
    return page != null ? page.length : candidates.size();
  }
}
