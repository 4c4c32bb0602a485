package io.rankingcluster.core.pipeline;

/**
 * A named step of a {@link Pipeline}: a stable id (used in metrics, {@code DegradedReason.stage}
 * and debug) and what a runtime failure of it does. Each kind of component ({@link Hydrator},
 * {@link Source}, {@link Filter}, {@link Scorer}, {@link Selector}, {@link Blend}, {@link
 * SideEffect}) adds one method: the work.
 *
 * <p>Only a {@link StageException} (a downstream that failed, timed out or was refused) is a
 * runtime failure; the policy decides whether it fails the request ({@link FailPolicy#closed()},
 * the default) or degrades it ({@link FailPolicy#open}). Any other exception is a programmer error
 * and is never caught here.
 *
 * @param <S> the request state the pipeline runs over
 */
public interface Component<S extends PipelineState> {
  /** Stable snake_case id: a metrics label, a degraded reason's stage and a debug stage name. */
  String id();

  /**
   * What a {@link StageException} of this component does: fail the request (the default) or degrade
   * it.
   */
  default FailPolicy<S> failPolicy() {
    return FailPolicy.closed();
  }
}
