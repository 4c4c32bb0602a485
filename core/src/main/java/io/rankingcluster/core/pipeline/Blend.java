package io.rankingcluster.core.pipeline;

import io.rankingcluster.core.blend.Blender;

/**
 * Composes the page from the ranked candidates: placements in display order, indexes into {@code
 * in}.
 */
public interface Blend<S extends PipelineState> extends Component<S> {
  Blender.Placement[] blend(S state, CandidateTable in);
}
