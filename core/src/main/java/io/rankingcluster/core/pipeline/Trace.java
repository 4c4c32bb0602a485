package io.rankingcluster.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * What one request did, stage by stage: every stage's latency and candidate counts (to the {@link
 * Listener} always, kept as debug records when asked), and every degraded reason. The services map
 * it to their answer ({@code DebugInfo}, {@code DegradedReason}). Not thread-safe: the request's
 * thread writes it.
 */
public final class Trace {
  private static final Logger LOG = Logger.getLogger(Trace.class.getName());

  /** One stage of one request (latency in nanoseconds). */
  public record Stage(String name, long nanos, int in, int out, String detail) {}

  /**
   * Why a part of the answer is missing or different: stage, machine-readable cause, human detail.
   */
  public record Degradation(String stage, String cause, String detail) {}

  /** Where stage timings and degradations go besides the trace (metrics). */
  public interface Listener {
    Listener NONE =
        new Listener() {
          @Override
          public void stage(String name, long nanos, int in, int out) {}

          @Override
          public void degraded(String stage, String cause) {}
        };

    void stage(String name, long nanos, int in, int out);

    void degraded(String stage, String cause);
  }

  private final boolean debug;
  private final Listener listener;
  private final List<Stage> stages = new ArrayList<>();
  private final List<Degradation> reasons = new ArrayList<>();

  /**
   * Set by the running component: its debug detail and, when it counts otherwise, its candidates in
   * and out.
   */
  private String detail = "";

  private int reportedIn = -1;
  private int reportedOut = -1;

  public Trace(boolean debug, Listener listener) {
    this.debug = debug;
    this.listener = listener;
  }

  public boolean debug() {
    return debug;
  }

  /** Records a stage that ran from {@code startNanos} to {@code endNanos} (System.nanoTime). */
  public void stage(String name, long startNanos, long endNanos, int in, int out, String detail) {
    listener.stage(name, endNanos - startNanos, in, out);
    if (debug) {
      stages.add(new Stage(name, endNanos - startNanos, in, out, detail));
    }
  }

  /** Records a degraded part. */
  public void degrade(String stage, String cause, String detail) {
    listener.degraded(stage, cause);
    reasons.add(new Degradation(stage, cause, detail));
    LOG.fine(() -> stage + " degraded: " + cause);
  }

  /**
   * Marks skew when a stage answered from another snapshot version than the request pinned. A stage
   * that names no version (an older build) cannot be judged and is trusted.
   */
  public void checkVersion(String stage, String pinned, String answered) {
    if (!answered.isEmpty() && !answered.equals(pinned)) {
      versionSkew(stage, pinned, answered);
    }
  }

  public void versionSkew(String stage, String pinned, String answered) {
    degrade(
        stage, "version_skew", "request pinned snapshot " + pinned + ", answered from " + answered);
  }

  /** The running component's debug detail (the budget it had, a model version, a cache's hits). */
  public void detail(String text) {
    detail = text;
  }

  /**
   * The running component's own candidate counts, when the table's sizes do not say it (a user's
   * recent items).
   */
  public void counts(int in, int out) {
    reportedIn = in;
    reportedOut = out;
  }

  /** Records the component that just ran, with what it reported; used by the executor. */
  void endComponent(String id, long startNanos, int in, int out) {
    stage(
        id,
        startNanos,
        System.nanoTime(),
        reportedIn >= 0 ? reportedIn : in,
        reportedOut >= 0 ? reportedOut : out,
        detail);
    detail = "";
    reportedIn = -1;
    reportedOut = -1;
  }

  public boolean degraded() {
    return !reasons.isEmpty();
  }

  public List<Degradation> reasons() {
    return reasons;
  }

  /** The debug records, in pipeline order (empty without debug). */
  public List<Stage> stages() {
    return stages;
  }

  /** "stage: cause - detail; ..." for error messages. */
  public String describeReasons() {
    StringBuilder sb = new StringBuilder();
    for (Degradation r : reasons) {
      sb.append(sb.length() == 0 ? "" : "; ").append(r.stage()).append(": ").append(r.cause());
      if (!r.detail().isEmpty()) {
        sb.append(" - ").append(r.detail());
      }
    }
    return sb.toString();
  }
}
