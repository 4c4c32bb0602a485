package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.StageDebug;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quality factor through the running mixer: a slowed stage pushes requests toward their
 * deadline and the factor falls (pages degraded with quality_factor, rank gets fewer candidates);
 * once the stage is fast again it climbs back to 1 and the pages are whole.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QualityFactorThroughMixerTest {
  private static final long DEADLINE_MS = 500;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        TestCluster.builder()
            .mixer(
                "--quality-latency-share=0.2", // 100 ms of the 500 ms deadline
                "--quality-window-ms=50",
                "--quality-min-factor=0.3")
            .start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static RecommendResponse call(int i) {
    return cluster
        .mixerStub()
        .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setContext(
                    RequestContext.newBuilder()
                        .setUserId(Integer.toString(1 + i % 50))
                        .setDebug(true))
                .build());
  }

  private static StageDebug stage(RecommendResponse r, String name) {
    return r.getDebug().getStagesList().stream()
        .filter(s -> s.getStage().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no stage " + name + ": " + r.getDebug()));
  }

  private static boolean byQualityFactor(RecommendResponse r) {
    return r.getDegradedReasonsList().stream()
        .anyMatch(
            d -> d.getStage().equals("quality_factor") && d.getCause().equals("quality_factor"));
  }

  @Test
  void slowStage_lowersTheFactor_andRecoveryRaisesItBack() {
    RecommendResponse whole = call(0);
    assertFalse(whole.getDegraded(), () -> "fast stages: " + whole.getDegradedReasonsList());
    assertEquals("1.00", stage(whole, "quality_factor").getDetail());
    assertEquals(200, stage(whole, "rank_quota").getCandidatesOut(), "rank gets its full 200");

    // Rank answers after 120 ms: within its budget (no rank failure), but every request now takes
    // more than 20% of its deadline.
    cluster.rankFaults.set("*", FaultInjector.Rule.delay(120));
    AtomicReference<RecommendResponse> shrunk = new AtomicReference<>();
    int[] i = {1};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ZERO)
        .until(
            () -> {
              RecommendResponse r = call(i[0]++);
              shrunk.set(r);
              return byQualityFactor(r);
            });
    RecommendResponse r = shrunk.get();
    double factor = Double.parseDouble(stage(r, "quality_factor").getDetail());
    assertTrue(factor < 1 && factor >= 0.3, "factor " + factor);
    // The detail rounds the factor to two decimals.
    assertEquals(
        200 * factor,
        stage(r, "rank_quota").getCandidatesOut(),
        2.0,
        "rank's input shrinks with the factor");
    assertTrue(
        r.getDegradedReasonsList().stream().noneMatch(d -> d.getStage().equals("rank")),
        "the slow rank still answered: the factor is the only cause");
    assertEquals(20, r.getItemsCount(), "the page is still whole in size");
    DegradedReason reason =
        r.getDegradedReasonsList().stream()
            .filter(d -> d.getStage().equals("quality_factor"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        reason.getDetail().contains(stage(r, "quality_factor").getDetail()), reason.getDetail());

    cluster.rankFaults.clearAll();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ZERO)
        .until(() -> !call(i[0]++).getDegraded());
    RecommendResponse back = call(i[0]++);
    assertEquals("1.00", stage(back, "quality_factor").getDetail());
    assertEquals(200, stage(back, "rank_quota").getCandidatesOut());
  }
}
