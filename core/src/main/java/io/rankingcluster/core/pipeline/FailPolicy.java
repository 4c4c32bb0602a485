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
  private static final FailPolicy<?> CLOSED = new FailPolicy<>(false, "", s -> {});

  private final boolean open;
  private final String fallback;
  private final Consumer<S> apply;

  private FailPolicy(boolean open, String fallback, Consumer<S> apply) {
    this.open = open;
    this.fallback = fallback;
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
    return new FailPolicy<>(true, fallback, apply);
  }

  public boolean isOpen() {
    return open;
  }

  /** What the page does instead ("" when closed). */
  public String fallback() {
    return fallback;
  }

  void applyTo(S state) {
    apply.accept(state);
  }
}
