package io.rankingcluster.mixer;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Channels from the mixer to the stages, with their service config: round_robin over the replicas
 * of a target, with outlier detection ejecting a replica that mostly fails; hedging for Recall (a
 * second attempt to another replica when the first is slow), a retry policy for the other reads
 * (never both on one method); retry throttling so that retries stop when a stage is mostly failing
 * instead of doubling its load.
 *
 * <p>A target is {@code host:port}, replicas joined by {@code |} ({@code
 * 127.0.0.2:9091|127.0.0.3:9091}, resolved by {@link StaticResolverProvider}), or a gRPC URI such
 * as {@code dns:///recall-0.recall:9091}.
 */
final class Channels {
  private Channels() {}

  /** The gRPC target for one configured spec. */
  static String target(String spec) {
    String s = spec.trim();
    if (s.contains("://") || s.startsWith("dns:")) {
      return s;
    }
    return StaticResolverProvider.SCHEME + ":///" + String.join(",", replicas(s));
  }

  /** The replicas of a {@code |}-joined spec (one entry for a URI). */
  static List<String> replicas(String spec) {
    List<String> out = new ArrayList<>();
    for (String r : spec.split("\\|")) {
      if (!r.isBlank()) {
        out.add(r.trim());
      }
    }
    return out;
  }

  /**
   * A channel builder for one spec: its target, the credentials and the TLS authority of {@code
   * options}.
   */
  private static NettyChannelBuilder builder(String spec, MixerConfig options) {
    StaticResolverProvider.register();
    NettyChannelBuilder b =
        NettyChannelBuilder.forTarget(target(spec), options.channelCredentials());
    if (!options.tlsAuthority().isEmpty()) {
      b.overrideAuthority(options.tlsAuthority());
    }
    return b;
  }

  static ManagedChannel open(String spec, MixerConfig options) {
    return builder(spec, options)
        .defaultServiceConfig(serviceConfig(options, mayHaveReplicas(spec)))
        .enableRetry()
        // Why: an idle connection to a stage must not cost the first request a handshake; pings
        // also find a
        // dead replica (no RST from a killed pod) before a request does.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .build();
  }

  /**
   * The panic channel of a target with replicas (null for a single {@code host:port}): plain
   * round_robin, no outlier detection and no hedging, UNAVAILABLE retried on the next replica.
   * Outlier detection counts every call that does not end OK against a replica, the losing attempt
   * of a hedge (CANCELLED) included: a cold replica that loses hedges while the cluster warms up is
   * ejected for 10 s, and if the other replica dies in that time the primary channel has nothing
   * left and fails the call at once ("ejected by outlier detection"), although the ejected replica
   * is up. Like Envoy's panic threshold, the call then goes to any connected replica. The channel
   * stays idle (no connection) until first used.
   */
  static ManagedChannel openPanic(String spec, MixerConfig options) {
    if (!mayHaveReplicas(spec)) {
      return null;
    }
    Map<String, Object> retry =
        Map.of(
            "maxAttempts",
            3.0,
            "initialBackoff",
            "0.002s",
            "maxBackoff",
            "0.010s",
            "backoffMultiplier",
            2.0,
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    Map<String, Object> config =
        Map.of(
            "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
            "methodConfig", List.of(Map.of("name", List.of(Map.of()), "retryPolicy", retry)));
    return builder(spec, options).defaultServiceConfig(config).enableRetry().build();
  }

  /**
   * round_robin over the replicas, under gRPC's outlier detection (gRFC A50): every half second, a
   * replica that failed at least half of its last 5 or more calls, while at least two replicas are
   * there, is ejected for 10 s (longer each time again, up to 60 s), at most half of the replicas
   * at once. A replica that is up but answers errors (a broken model, a full disk) then stops
   * taking traffic, as a killed one does through its broken connection; without it round_robin
   * keeps sending it its share.
   */
  static Map<String, Object> outlierDetection() {
    return Map.of(
        "interval",
        "0.5s",
        "baseEjectionTime",
        "10s",
        "maxEjectionTime",
        "60s",
        "maxEjectionPercentage",
        50.0,
        // 5 calls per half second: a replica that gets 10 calls a second is judged; with 10, one at
        // the CI's
        // 15 req/s was never ejected and 12% of its pages degraded while the fault lasted.
        "failurePercentageEjection",
        Map.of(
            "threshold",
            50.0,
            "enforcementPercentage",
            100.0,
            "minimumHosts",
            2.0,
            "requestVolume",
            5.0),
        "childPolicy",
        List.of(Map.of("round_robin", Map.of())));
  }

  /**
   * False for a single {@code host:port}: a hedge would go to the replica that is already slow,
   * doubling its work when it can least afford it (measured: 9% of Recall calls were such hedges at
   * 1M items). A URI such as {@code dns:///} may resolve to many replicas.
   */
  static boolean mayHaveReplicas(String spec) {
    String s = spec.trim();
    return s.contains("://") || s.startsWith("dns:") || replicas(s).size() > 1;
  }

  /**
   * The service config (JSON as maps; gRPC wants numbers as Double); hedging only when {@code
   * hedge}.
   */
  static Map<String, Object> serviceConfig(MixerConfig o, boolean hedge) {
    Map<String, Object> retry =
        Map.of(
            "maxAttempts",
            (double) o.retryMaxAttempts(),
            "initialBackoff",
            "0.005s",
            "maxBackoff",
            "0.050s",
            "backoffMultiplier",
            2.0,
            // Only UNAVAILABLE: the call did not reach a handler (connection refused, replica
            // draining), so a
            // retry cannot double work. DEADLINE_EXCEEDED is never retried: the budget is spent.
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    List<Object> methods = new ArrayList<>();
    List<Object> retried =
        new ArrayList<>(
            List.of(Map.of("service", "ranking.v1.RecallService", "method", "GetEmbeddings")));
    List<Object> stages =
        List.of(
            Map.of("service", "ranking.v1.PrerankService"),
            Map.of("service", "ranking.v1.RankService"));
    if (hedge && o.stageHedgeDelayMs() > 0) {
      // A replica that is slow for a moment (just restarted and still compiling, in a GC pause)
      // would cost the
      // page its ranking; the hedge to another replica answers instead. Non-fatal UNAVAILABLE also
      // moves on at
      // once, as the retry policy would.
      // Three attempts: with calls of other requests picked in between, the second attempt of one
      // call can land
      // on the same failing replica (measured: 2.7% of pages degraded before the ejection with
      // two).
      methods.add(
          Map.of(
              "name",
              stages,
              "hedgingPolicy",
              Map.of(
                  "maxAttempts", 3.0,
                  "hedgingDelay",
                      String.format(java.util.Locale.ROOT, "%.3fs", o.stageHedgeDelayMs() / 1000.0),
                  "nonFatalStatusCodes", List.of("UNAVAILABLE"))));
    } else {
      retried.addAll(stages);
    }
    if (hedge && o.hedgeDelayMs() > 0) {
      methods.add(
          Map.of(
              "name", List.of(Map.of("service", "ranking.v1.RecallService", "method", "Recall")),
              "hedgingPolicy",
                  Map.of(
                      "maxAttempts", 2.0,
                      "hedgingDelay",
                          String.format(java.util.Locale.ROOT, "%.3fs", o.hedgeDelayMs() / 1000.0),
                      "nonFatalStatusCodes", List.of("UNAVAILABLE"))));
    } else {
      retried.add(Map.of("service", "ranking.v1.RecallService", "method", "Recall"));
    }
    if (o.retryMaxAttempts() > 1) {
      methods.add(Map.of("name", retried, "retryPolicy", retry));
    }
    return Map.of(
        "loadBalancingConfig",
            List.of(Map.of("outlier_detection_experimental", outlierDetection())),
        "methodConfig", methods,
        // A token bucket per channel: each failed attempt costs 1, each success returns 0.1; below
        // half the
        // tokens, retries and hedges stop (gRPC's A6 design), so a failing stage sees no retry
        // storm. 100
        // tokens let about 50 failed attempts be retried before that: enough to bridge the second
        // or two until
        // outlier detection ejects one bad replica (with 10, half of the calls failing on one of
        // two replicas
        // stopped the retries within half a second and the page degraded until the ejection).
        "retryThrottling", Map.of("maxTokens", 100.0, "tokenRatio", 0.1));
  }
}
