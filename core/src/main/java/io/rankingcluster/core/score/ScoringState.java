package io.rankingcluster.core.score;

import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Trace;

/**
 * One scoring request as a stage service sees it: who (the user's signals and vector), when (the
 * request's time, for time features and live windows), and, for prerank, how many to keep per kind.
 */
public final class ScoringState extends PipelineState {
  public final UserSignals user;
  public final float[] userVector;
  public final long timeMs;

  /** Survivors per kind index (prerank's cut); empty for rank. */
  public final int[] topK;

  public ScoringState(UserSignals user, float[] userVector, long timeMs, int[] topK) {
    super(new Trace(false, Trace.Listener.NONE));
    this.user = user;
    this.userVector = userVector;
    this.timeMs = timeMs;
    this.topK = topK;
  }
}
