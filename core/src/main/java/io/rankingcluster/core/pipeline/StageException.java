package io.rankingcluster.core.pipeline;

/**
 * A runtime failure of a component: a downstream failed, timed out or was refused (a breaker open,
 * a bulkhead full), so the component could not do its work. Its component's {@link FailPolicy}
 * decides whether the request fails or degrades. Programmer errors are never wrapped in one.
 */
public final class StageException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String stage;
  private final String code;
  private final String detail;

  /**
   * @param code the machine-readable cause, as in {@code DegradedReason.cause} ("unavailable",
   *     "deadline_exceeded", "circuit_open", ...)
   * @param detail what happened, for people ("" when the code says it all)
   */
  public StageException(String code, String detail) {
    this("", code, detail);
  }

  private StageException(String stage, String code, String detail) {
    // No stack trace: these are expected under faults, and counted, not debugged.
    super(
        (stage.isEmpty() ? "" : stage + ": ") + code + (detail.isEmpty() ? "" : ": " + detail),
        null,
        false,
        false);
    this.stage = stage;
    this.code = code;
    this.detail = detail;
  }

  /**
   * The same failure, naming the component it ended (set by the executor when the failure fails the
   * request).
   */
  StageException at(String component) {
    return stage.isEmpty() ? new StageException(component, code, detail) : this;
  }

  /** The id of the component that failed the request ("" while it has not left its component). */
  public String stage() {
    return stage;
  }

  /** The machine-readable cause. */
  public String code() {
    return code;
  }

  /** The human-readable detail ("" when none). */
  public String detail() {
    return detail;
  }
}
