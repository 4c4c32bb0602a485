package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RequestContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Prometheus metrics on /metrics: counts that follow the requests exactly, and the meters operators
 * need.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsTest {
  private static TestCluster cluster;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 2);
    cluster.telemetry.get("mixer").serveHttp("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String scrapeOverHttp(Telemetry t) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.httpPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    return r.body();
  }

  /**
   * The value of the series {@code name} whose labels include every {@code label="value"} given; 0
   * if absent.
   */
  static double value(String text, String name, String... labels) {
    Pattern line =
        Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(text);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      boolean all = true;
      for (String l : labels) {
        all &= m.group(1).contains(l);
      }
      if (all) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    return found ? sum : 0;
  }

  private static void recommend(int n, String user) {
    for (int i = 0; i < n; i++) {
      cluster
          .mixerStub()
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .recommend(
              RecommendRequest.newBuilder()
                  .setContext(RequestContext.newBuilder().setUserId(user))
                  .build());
    }
  }

  @Test
  void metrics_standardGrpcNames_countServerAndClientCallsForStockDashboards() throws Exception {
    Telemetry mixer = cluster.telemetry.get("mixer");
    Telemetry rank = cluster.telemetry.get("rank");
    String before = scrapeOverHttp(mixer);
    String rankBefore = rank.scrape();
    int n = 5;
    recommend(n, "7");
    String after = scrapeOverHttp(mixer);
    String[] ok = {
      "grpc_method=\"Recommend\"",
      "grpc_service=\"ranking.v1.MixerService\"",
      "grpc_code=\"OK\"",
      "grpc_type=\"unary\""
    };
    assertEquals(
        n,
        value(after, "grpc_server_handled_total", ok)
            - value(before, "grpc_server_handled_total", ok));
    String[] rec = {"grpc_method=\"Recommend\""};
    assertEquals(
        n,
        value(after, "grpc_server_started_total", rec)
            - value(before, "grpc_server_started_total", rec));
    assertEquals(
        n,
        value(after, "grpc_server_handling_seconds_count", rec)
            - value(before, "grpc_server_handling_seconds_count", rec));
    assertTrue(after.contains("grpc_server_handling_seconds_bucket{"), "a histogram with buckets");
    assertEquals(
        n,
        value(after, "grpc_server_msg_received_total", rec)
            - value(before, "grpc_server_msg_received_total", rec));
    String[] rankOk = {"grpc_method=\"Rank\"", "grpc_code=\"OK\""};
    assertEquals(
        n,
        value(after, "grpc_client_handled_total", rankOk)
            - value(before, "grpc_client_handled_total", rankOk),
        "the mixer's calls to rank, client side");
    String rankAfter = rank.scrape();
    assertEquals(
        n,
        value(rankAfter, "grpc_server_handled_total", rankOk)
            - value(rankBefore, "grpc_server_handled_total", rankOk),
        "and the same calls on rank's side");
  }

  @Test
  void metrics_afterNRequests_countersAndHistogramsGrewByExactlyN() throws Exception {
    Telemetry mixer = cluster.telemetry.get("mixer");
    String before = scrapeOverHttp(mixer);
    int n = 7;
    recommend(n, "7");
    String after = scrapeOverHttp(mixer);
    String[] recommend = {"method=\"Recommend\""};
    assertEquals(
        n,
        value(after, "ranking_grpc_server_requests_received_messages_total", recommend)
            - value(before, "ranking_grpc_server_requests_received_messages_total", recommend));
    String[] ok = {"method=\"Recommend\"", "status_code=\"OK\""};
    assertEquals(
        n,
        value(after, "ranking_grpc_server_processing_duration_seconds_count", ok)
            - value(before, "ranking_grpc_server_processing_duration_seconds_count", ok));
    assertEquals(
        n,
        value(
                after,
                "ranking_grpc_server_processing_duration_seconds_bucket",
                "le=\"+Inf\"",
                ok[0],
                ok[1])
            - value(
                before,
                "ranking_grpc_server_processing_duration_seconds_bucket",
                "le=\"+Inf\"",
                ok[0],
                ok[1]),
        "the histogram holds n more observations");
    for (String stage : new String[] {"recall", "prerank", "rank", "blend"}) {
      String[] l = {"stage=\"" + stage + "\""};
      assertEquals(
          n,
          value(after, "ranking_stage_duration_seconds_count", l)
              - value(before, "ranking_stage_duration_seconds_count", l),
          stage);
    }
    assertEquals(
        n,
        value(after, "ranking_pages_total", "degraded=\"false\"")
            - value(before, "ranking_pages_total", "degraded=\"false\""));
  }

  @Test
  void metrics_exposeCachesBreakersDegradationAndModelVersions() throws Exception {
    recommend(2, "11");
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    try {
      recommend(3, "12");
    } finally {
      cluster.rankFaults.clearAll();
      cluster.downstreams.guards().forEach(g -> g.breaker.reset());
    }
    String text = cluster.telemetry.get("mixer").scrape();
    assertEquals(
        3, value(text, "ranking_degraded_total", "stage=\"rank\"", "cause=\"unavailable\""));
    assertTrue(
        value(text, "ranking_cache_gets_total", "cache=\"embeddings\"", "result=\"hit\"") > 0,
        "embedding hits");
    assertTrue(
        text.contains("ranking_cache_gets_total{cache=\"user_state\""),
        "user-state cache exported");
    assertTrue(
        text.contains("ranking_cache_evictions_total{cache=\"embeddings\""), "evictions exported");
    assertTrue(
        text.contains("ranking_resilience4j_circuitbreaker_state{"), "breaker states exported");
    assertTrue(text.contains("name=\"recall_shard_1\""), "a breaker per shard");
    assertTrue(text.contains("ranking_blend_config_info{"), "blend configuration in force");
    String rank = cluster.telemetry.get("rank").scrape();
    assertTrue(
        value(rank, "ranking_model_requests_total", "stage=\"rank\"", "model_version=\"") >= 2,
        "calls per model version");
    assertTrue(rank.contains("ranking_model_info{"), "loaded model versions");
    for (String line : text.split("\n")) {
      assertTrue(
          !line.contains("user_id") && !line.contains("item_id"),
          "no user or item ids as labels: " + line);
    }
  }

  @Test
  void deployFiles_referOnlyToMetricsTheServicesExport() throws Exception {
    recommend(1, "13");
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    try {
      recommend(1, "14");
    } finally {
      cluster.rankFaults.clearAll();
      cluster.downstreams.guards().forEach(g -> g.breaker.reset());
    }
    StringBuilder all = new StringBuilder();
    cluster.telemetry.values().forEach(t -> all.append(t.scrape()));
    java.util.Set<String> exported = new java.util.HashSet<>();
    Matcher names = Pattern.compile("^(ranking_\\w+)", Pattern.MULTILINE).matcher(all);
    while (names.find()) {
      exported.add(names.group(1));
      exported.add(
          names.group(1).replaceAll("_(bucket|count|sum|max)$", "")); // a histogram's base name
    }
    // The snapshot watcher's meters (checked in SnapshotWatcherTest); the test cluster has no
    // watcher.
    exported.addAll(
        java.util.List.of(
            "ranking_snapshot_info",
            "ranking_snapshot_swaps_total",
            "ranking_snapshot_refusals_total"));
    java.nio.file.Path deploy = java.nio.file.Path.of("..", "deploy");
    int checked = 0;
    for (String file : new String[] {"prometheus/alerts.yml", "grafana/ranking-cluster.json"}) {
      String text = java.nio.file.Files.readString(deploy.resolve(file));
      Matcher used = Pattern.compile("(ranking_[a-z0-9_]+)").matcher(text);
      while (used.find()) {
        assertTrue(
            exported.contains(used.group(1)),
            file + " refers to " + used.group(1) + ", which no service exports");
        checked++;
      }
    }
    assertTrue(checked > 20, "the deploy files were read: " + checked + " references");
  }
}
