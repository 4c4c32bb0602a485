package io.rankingcluster.core.pipeline;

import java.util.function.Consumer;

/**
 * What a component's runtime failure ({@link StageException}) does. Closed: the request fails with
 * that failure. Open: the request goes on, degraded, with the reason "{@code <id>: <cause>}" and
 * the detail "{@code <fallback> (<failure detail>)}", after the fallback has been applied to the
 * state (a whole source may fail open too: its fallback then fills {@link
 * PipelineState#candidates}).
 */
public final class FailPolicy<S extends PipelineState> {
  private static final FailPolicy<?> CLOSED = new FailPolicy<>(false, "", "", s -> {});

  private final boolean open;
  private final String fallback;
  private final String cause;
  private final Consumer<S> apply;

  private FailPolicy(boolean open, String fallback, String cause, Consumer<S> apply) {
    this.open = open;
    this.fallback = fallback;
    this.cause = cause;
    this.apply = apply;
  }

  /** A failure fails the request. */
  @SuppressWarnings("unchecked")
  public static <S extends PipelineState> FailPolicy<S> closed() {
    return (FailPolicy<S>) CLOSED;
  }

  /**
   * A failure degrades the request: {@code fallback} (say what the page does instead, e.g. "fell
   * back to recall order") is applied to the state and named in the degraded reason.
   */
  public static <S extends PipelineState> FailPolicy<S> open(String fallback, Consumer<S> apply) {
    if (fallback == null || fallback.isBlank()) {
      throw new IllegalArgumentException("an open fail policy names its fallback");
    }
    return new FailPolicy<>(true, fallback, "", apply);
  }

  /**
   * As {@link #open(String, Consumer)}, but the degraded reason's cause is {@code cause} (what the
   * page became, e.g. "last_resort") instead of the failure's code, which the detail keeps.
   */
  public static <S extends PipelineState> FailPolicy<S> open(
      String fallback, String cause, Consumer<S> apply) {
    if (cause == null || cause.isBlank()) {
      throw new IllegalArgumentException("a fail policy's own cause must not be blank");
    }
    FailPolicy<S> p = open(fallback, apply);
    return new FailPolicy<>(true, p.fallback, cause, apply);
  }

  public boolean isOpen() {
    return open;
  }

  /** What the page does instead ("" when closed). */
  public String fallback() {
    return fallback;
  }

  /**
   * The degraded reason's cause for {@code failure}: this policy's own, else the failure's code.
   */
  String causeOf(StageException failure) {
    return cause.isEmpty() ? failure.code() : cause;
  }

  void applyTo(S state) {
    apply.accept(state);
  }
}
