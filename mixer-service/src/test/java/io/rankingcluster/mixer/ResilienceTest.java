package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.core.ShardFunction;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mixer when stages fail or are slow: partial pages, fallbacks, breakers, deadlines and
 * cancellation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResilienceTest {
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        TestCluster.builder()
            .shards(2)
            .mixer(
                "--breaker-window=6",
                "--breaker-min-calls=4",
                "--breaker-open-ms=300",
                "--breaker-half-open-calls=2")
            .start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void healEverything() {
    cluster.recallFaults.forEach(FaultInjector::clearAll);
    cluster.prerankFaults.clearAll();
    cluster.rankFaults.clearAll();
    cluster.downstreams.guards().forEach(g -> g.breaker.reset());
  }

  private static RecommendResponse call(String user, long deadlineMs) {
    return cluster
        .mixerStub()
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setContext(RequestContext.newBuilder().setUserId(user).setDebug(true))
                .build());
  }

  private static DegradedReason reason(RecommendResponse r, String stage) {
    return r.getDegradedReasonsList().stream()
        .filter(d -> d.getStage().equals(stage))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no degraded reason for " + stage + ": " + r.getDegradedReasonsList()));
  }

  @Test
  void recommend_shardDown_returnsPartialPageDegradedWithThatShard() {
    cluster.recallFaults.get(1).set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    RecommendResponse r = call("7", 10_000);
    assertTrue(r.getDegraded());
    assertEquals("unavailable", reason(r, "recall_shard_1").getCause());
    assertEquals(
        1,
        r.getDegradedReasonsCount(),
        () -> "only the shard is lost: " + r.getDegradedReasonsList());
    assertEquals(20, r.getItemsCount(), "the surviving shard still fills the page");
    for (FeedItem it : r.getItemsList()) {
      assertEquals(
          0,
          ShardFunction.shardOf(it.getItemId(), 2),
          "every item comes from the surviving shard 0");
    }
  }

  @Test
  void recommend_allShardsDown_answersTheLastResortPage_rankedAndDegraded() {
    cluster.recallFaults.forEach(
        f -> f.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE)));
    RecommendResponse r = call("7", 10_000);
    assertTrue(r.getDegraded());
    DegradedReason recall = reason(r, "recall");
    assertEquals("last_resort", recall.getCause());
    assertTrue(
        recall.getDetail().contains("recall_shard_0")
            && recall.getDetail().contains("recall_shard_1"),
        "the detail keeps why: " + recall.getDetail());
    assertEquals(20, r.getItemsCount(), "a whole page");
    for (FeedItem it : r.getItemsList()) {
      assertEquals("last_resort", it.getPlacementRule());
    }
    // Ranked: rank answered (no rank reason) and the page carries its values, best value first
    // within the blend's kind slots.
    assertTrue(
        r.getDegradedReasonsList().stream().noneMatch(d -> d.getStage().equals("rank")),
        () -> "rank is up: " + r.getDegradedReasonsList());
    assertTrue(r.getItemsList().stream().allMatch(it -> it.getValue() > 0), "rank's values");
    assertTrue(
        r.getDebug().getStagesList().stream()
            .anyMatch(st -> st.getStage().equals("rank") && st.getCandidatesOut() > 0),
        () -> "rank scored the popular candidates: " + r.getDebug().getStagesList());
  }

  @Test
  void lastResort_followsThePageTokenAndTheKindsFilter() {
    cluster.recallFaults.forEach(
        f -> f.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE)));
    java.util.Set<Long> seen = new java.util.HashSet<>();
    String token = "";
    for (int page = 1; page <= 3; page++) {
      RecommendResponse r =
          cluster
              .mixerStub()
              .withDeadlineAfter(10_000, TimeUnit.MILLISECONDS)
              .recommend(
                  RecommendRequest.newBuilder()
                      .setContext(RequestContext.newBuilder().setUserId("7"))
                      .addKinds(io.rankingcluster.proto.v1.ItemKind.ITEM_KIND_PRODUCT)
                      .addKinds(io.rankingcluster.proto.v1.ItemKind.ITEM_KIND_VIDEO)
                      .setPageToken(token)
                      .build());
      assertEquals("last_resort", reason(r, "recall").getCause());
      assertEquals(20, r.getItemsCount(), "page " + page);
      for (FeedItem it : r.getItemsList()) {
        assertTrue(seen.add(it.getItemId()), "item " + it.getItemId() + " again on page " + page);
        assertTrue(
            it.getKind() != io.rankingcluster.proto.v1.ItemKind.ITEM_KIND_LIVE_STREAM,
            "live streams were not asked for");
      }
      token = r.getNextPageToken();
    }
  }

  @Test
  void lastResort_whenEveryShardsBreakerIsOpen() {
    cluster.recallFaults.forEach(
        f -> f.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE)));
    // Open both breakers (window 6, at least 4 calls), then heal the shards: the open breakers
    // alone now keep recall out, and the page still comes.
    for (int i = 0; i < 6; i++) {
      call("7", 10_000);
    }
    cluster.recallFaults.forEach(FaultInjector::clearAll);
    for (Guard g : cluster.downstreams.recallGuards) {
      assertEquals(CircuitBreaker.State.OPEN, g.state(), g.name);
    }
    RecommendResponse r = call("8", 10_000);
    assertEquals("last_resort", reason(r, "recall").getCause());
    assertTrue(
        reason(r, "recall").getDetail().contains("circuit_open"), reason(r, "recall").getDetail());
    assertEquals(20, r.getItemsCount());
  }

  @Test
  void recommend_rankDown_servesPrerankOrderDegraded() {
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    RecommendResponse r = call("7", 10_000);
    assertEquals(20, r.getItemsCount());
    DegradedReason rank = reason(r, "rank");
    assertEquals("unavailable", rank.getCause());
    assertTrue(rank.getDetail().contains("prerank order"), rank.getDetail());
    for (FeedItem it : r.getItemsList()) {
      assertEquals(
          it.getStageScores().getPrerank(), it.getValue(), 0f, "value is the prerank score");
      assertEquals(0f, it.getStageScores().getPClick(), 0f, "no rank heads");
    }
  }

  @Test
  void recommend_prerankAndRankDown_servesRecallOrderDegraded() {
    cluster.prerankFaults.set("*", FaultInjector.Rule.abort(Status.Code.INTERNAL));
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    RecommendResponse r = call("7", 10_000);
    assertEquals(20, r.getItemsCount());
    assertEquals("internal", reason(r, "prerank").getCause());
    assertEquals("unavailable", reason(r, "rank").getCause());
    for (FeedItem it : r.getItemsList()) {
      assertEquals(it.getStageScores().getRecall(), it.getValue(), 0f, "value is the recall score");
    }
  }

  @Test
  void breaker_opensAfterFailures_failsFastWhileOpen_recoversThroughHalfOpen() throws Exception {
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.UNAVAILABLE));
    Guard rank = cluster.downstreams.rankGuard;
    int calls = 0;
    while (rank.state() != CircuitBreaker.State.OPEN && calls < 50) {
      assertEquals("unavailable", reason(call("7", 10_000), "rank").getCause());
      calls++;
    }
    assertEquals(CircuitBreaker.State.OPEN, rank.state(), "opened after " + calls + " failures");
    long reachedRank = cluster.rankFaults.abortedCalls();
    for (int i = 0; i < 3; i++) {
      RecommendResponse r = call("7", 10_000);
      assertEquals("circuit_open", reason(r, "rank").getCause());
      assertEquals(20, r.getItemsCount(), "still a page, in prerank order");
    }
    assertEquals(
        reachedRank, cluster.rankFaults.abortedCalls(), "an open breaker sends nothing to rank");

    cluster.rankFaults.clearAll();
    // The breaker lets trial calls through after --breaker-open-ms.
    RecommendResponse r =
        await()
            .atMost(java.time.Duration.ofSeconds(20))
            .pollInterval(java.time.Duration.ofMillis(50))
            .until(() -> call("7", 10_000), x -> !x.getDegraded());
    assertFalse(r.getDegraded(), () -> "recovered after the stage healed");
    for (int i = 0; i < 3; i++) {
      call("7", 10_000);
    }
    assertEquals(
        CircuitBreaker.State.CLOSED,
        rank.state(),
        "half-open trials succeeded and closed the breaker");
  }

  @Test
  void
      recommend_clientDeadlineShorterThanRankDelay_answersDegradedInTime_andRankSeesTheCancellation()
          throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    cluster.rankFaults.onCancelledDuringDelay(cancelled::countDown);
    cluster.rankFaults.set("*", FaultInjector.Rule.delay(60_000));
    long t0 = System.nanoTime();
    RecommendResponse r = call("7", 1_500);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals("deadline_exceeded", reason(r, "rank").getCause());
    assertEquals(20, r.getItemsCount(), "a page in prerank order");
    assertTrue(ms < 1_500, "answered before the client's deadline, took " + ms + " ms");
    assertTrue(
        cancelled.await(10, TimeUnit.SECONDS), "the delayed rank call observed its cancellation");
  }

  @Test
  void recommend_slowShard_costsItsCandidatesOnly_andTheShardSeesTheCancellation()
      throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    cluster.recallFaults.get(0).onCancelledDuringDelay(cancelled::countDown);
    // Recall only: GetEmbeddings calls to the shard must not be the ones whose cancellation the
    // latch sees.
    cluster
        .recallFaults
        .get(0)
        .set("ranking.v1.RecallService/Recall", FaultInjector.Rule.delay(60_000));
    RecommendResponse r = call("7", 1_500);
    assertEquals("deadline_exceeded", reason(r, "recall_shard_0").getCause());
    assertTrue(r.getItemsCount() > 0);
    for (FeedItem it : r.getItemsList()) {
      assertEquals(1, ShardFunction.shardOf(it.getItemId(), 2));
    }
    assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the slow shard observed its cancellation");
  }

  @Test
  void recommend_invalidArgumentFromAStage_neverOpensItsBreaker() {
    cluster.rankFaults.set("*", FaultInjector.Rule.abort(Status.Code.INVALID_ARGUMENT));
    for (int i = 0; i < 12; i++) {
      assertEquals("invalid_argument", reason(call("7", 10_000), "rank").getCause());
    }
    assertEquals(CircuitBreaker.State.CLOSED, cluster.downstreams.rankGuard.state());
  }
}
