package io.rankingcluster.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's own meters, shared by the four services so that the names agree:
 *
 * <ul>
 *   <li>{@code ranking_stage_duration_seconds{stage}}: the mixer's view of each stage (histogram);
 *   <li>{@code ranking_stage_candidates{stage,direction}}: candidates into and out of each stage
 *       (histogram);
 *   <li>{@code ranking_recall_channel_candidates{channel}} and {@code
 *       ranking_recall_channel_failures_total{channel}};
 *   <li>{@code ranking_model_requests_total{stage,model_version}}: calls served per model version
 *       (A/B arms);
 *   <li>{@code ranking_degraded_total{stage,cause}}: degraded answers and fallbacks by reason;
 *   <li>{@code ranking_pages_total{degraded}}: pages served by the mixer;
 *   <li>{@code ranking_panic_routes_total{stage}}: calls the mixer sent again on a stage's panic
 *       channel (any connected replica) after the balanced channel had none left for them.
 * </ul>
 *
 * Meters are looked up once per label set and cached: a call costs map lookups, not registrations.
 */
public final class StageMetrics {
  private final Telemetry telemetry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public StageMetrics(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public void stageDuration(String stage, long nanos) {
    timers
        .computeIfAbsent(
            stage,
            s ->
                telemetry.timer(
                    "ranking.stage.duration",
                    "Time spent in a stage, seen by the mixer",
                    "stage",
                    s))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void candidates(String stage, int in, int out) {
    summaries
        .computeIfAbsent(
            stage + "\u0000in",
            k ->
                telemetry.counts(
                    "ranking.stage.candidates",
                    "Candidates into (direction=in) and out of (direction=out) a stage per call",
                    "stage",
                    stage,
                    "direction",
                    "in"))
        .record(in);
    summaries
        .computeIfAbsent(
            stage + "\u0000out",
            k ->
                telemetry.counts(
                    "ranking.stage.candidates",
                    "Candidates into (direction=in) and out of (direction=out) a stage per call",
                    "stage",
                    stage,
                    "direction",
                    "out"))
        .record(out);
  }

  public void channel(String channel, int candidates, boolean failed) {
    summaries
        .computeIfAbsent(
            "channel\u0000" + channel,
            k ->
                telemetry.counts(
                    "ranking.recall.channel.candidates",
                    "Candidates a recall channel returned per call",
                    "channel",
                    channel))
        .record(candidates);
    // Registered on the first call, so that the series exists at 0 before the first failure.
    Counter failures =
        counter(
            "ranking.recall.channel.failures",
            "Recall channel calls that failed or ran out of time",
            "channel",
            channel);
    if (failed) {
      failures.increment();
    }
  }

  public void modelRequest(String stage, String modelVersion) {
    counter(
            "ranking.model.requests",
            "Calls served per stage and model version (experiment arms)",
            "stage",
            stage,
            "model_version",
            modelVersion)
        .increment();
  }

  public void degraded(String stage, String cause) {
    counter(
            "ranking.degraded",
            "Degraded parts of answers, by stage and cause (each fallback counts once)",
            "stage",
            stage,
            "cause",
            cause)
        .increment();
  }

  public void panicRoute(String stage) {
    counter(
            "ranking.panic.routes",
            "Calls sent again to any connected replica after the balanced channel (outlier"
                + " detection) had no replica left for them",
            "stage",
            stage)
        .increment();
  }

  public void page(boolean degraded) {
    counter("ranking.pages", "Pages served by the mixer", "degraded", Boolean.toString(degraded))
        .increment();
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(
        name + "\u0000" + String.join("\u0000", tags),
        k -> telemetry.counter(name, description, tags));
  }
}
