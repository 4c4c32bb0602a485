package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.prerank.PrerankData;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One recall shard served by two replicas on loopback, reached through the mixer's production
 * channels ({@link Channels}: static resolver, round_robin, hedging and retry service config,
 * reconnect resets).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicaTest {
  private final List<ManagedServer> servers = new ArrayList<>();
  private final FaultInjector[] replicaFaults = {new FaultInjector(), new FaultInjector()};
  private final int[] replicaPorts = new int[2];
  private final ManagedServer[] replicas = new ManagedServer[2];
  private Downstreams downstreams;
  private ManagedChannel mixerChannel;
  private final Telemetry telemetry = Telemetry.create("mixer-service");

  private static ServerConfig serverOptions() {
    return ServerConfig.parse("--default-deadline-ms=5000");
  }

  private ManagedServer netty(String name, int port, BindableService service) throws Exception {
    ManagedServer s =
        new ManagedServer(
                name,
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)),
                serverOptions(),
                List.of(service))
            .start(() -> {});
    servers.add(s);
    return s;
  }

  private ManagedServer startReplica(int r, int port) throws Exception {
    RecallServiceImpl recall =
        new RecallServiceImpl(
            Versioned.fixed(
                TestCluster.SNAPSHOT.version(), ShardData.of(TestCluster.SNAPSHOT, 0, 1)),
            RecallConfig.defaults());
    ServerServiceDefinition def = ServerInterceptors.intercept(recall, replicaFaults[r]);
    replicas[r] = netty("recall-0-replica-" + r, port, () -> def);
    replicaPorts[r] = replicas[r].port();
    return replicas[r];
  }

  private void startCluster(long hedgeDelayMs) throws Exception {
    startReplica(0, 0);
    startReplica(1, 0);
    ManagedServer prerank =
        netty(
            "prerank",
            0,
            new PrerankServiceImpl(
                Versioned.fixed(
                    TestCluster.SNAPSHOT.version(), PrerankData.of(TestCluster.SNAPSHOT)),
                new int[] {250, 110, 40},
                2000,
                20000));
    ManagedServer rank =
        netty(
            "rank",
            0,
            new RankServiceImpl(
                Versioned.fixed(
                    TestCluster.SNAPSHOT.version(),
                    RankData.of(TestCluster.SNAPSHOT, ValueFormula.DEFAULT)),
                2000));
    MixerConfig o =
        MixerConfig.parse(
            "--recall-targets=127.0.0.1:" + replicaPorts[0] + "|127.0.0.1:" + replicaPorts[1],
            "--prerank-target=127.0.0.1:" + prerank.port(),
            "--rank-target=127.0.0.1:" + rank.port(),
            "--hedge-delay-ms=" + hedgeDelayMs,
            "--reconnect-check-ms=100");
    downstreams = Downstreams.open(o);
    String name = "replica-test-mixer-" + System.nanoTime();
    MixerServiceImpl impl =
        new MixerServiceImpl(
                TestCluster.SNAPSHOT,
                downstreams,
                o,
                new PageTokenCodec(Map.of(1, TestCluster.KEY), 1, 3_600_000L))
            .instrument(new StageMetrics(telemetry));
    servers.add(
        new ManagedServer(
                "mixer", InProcessServerBuilder.forName(name), serverOptions(), List.of(impl))
            .start(() -> {}));
    mixerChannel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    if (mixerChannel != null) {
      mixerChannel.shutdownNow();
    }
    if (downstreams != null) {
      downstreams.close();
    }
    servers.forEach(ManagedServer::stop);
  }

  private RecommendResponse call(int i) {
    return MixerServiceGrpc.newBlockingStub(mixerChannel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setContext(RequestContext.newBuilder().setUserId(Integer.toString(1 + i % 50)))
                .build());
  }

  @Test
  void replicas_shareTheLoad_survivesAKilledOne_andUseARestartedOneAgainWithinSeconds()
      throws Exception {
    startCluster(0);
    for (int i = 0; i < 20; i++) {
      RecommendResponse r = call(i);
      assertFalse(r.getDegraded(), () -> "healthy replicas: " + r.getDegradedReasonsList());
    }
    assertTrue(
        replicaFaults[0].seenCalls() >= 5 && replicaFaults[1].seenCalls() >= 5,
        "round robin over both replicas: "
            + replicaFaults[0].seenCalls()
            + " / "
            + replicaFaults[1].seenCalls());

    replicas[1].stop();
    servers.remove(replicas[1]);
    for (int i = 0; i < 20; i++) {
      RecommendResponse r = call(i);
      assertFalse(
          r.getDegraded(),
          () -> "one replica left still serves every request: " + r.getDegradedReasonsList());
    }

    FaultInjector restarted = new FaultInjector();
    replicaFaults[1] = restarted;
    startReplica(1, replicaPorts[1]);
    // The channel reconnects after its backoff is reset; calls go on until one reaches the replica.
    java.util.concurrent.atomic.AtomicInteger i = new java.util.concurrent.atomic.AtomicInteger();
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(
            () -> {
              call(i.getAndIncrement());
              return restarted.seenCalls() > 0;
            });
    assertTrue(restarted.seenCalls() > 0, "the restarted replica gets traffic again within 10 s");
  }

  @Test
  void outlierDetection_replicaFailingEveryCall_isEjected_andStopsGettingTraffic()
      throws Exception {
    startCluster(0);
    assertTrue(
        ejectReplica0(),
        "within 15 s the failing replica gets no calls and pages are whole again; calls seen by"
            + " it: "
            + replicaFaults[0].seenCalls());
  }

  @Test
  void panicRoute_ejectedReplicaHealthyAgain_otherOneDies_callsReachTheEjectedOne()
      throws Exception {
    startCluster(0);
    assertTrue(ejectReplica0(), "replica 0 ejected first");
    // Healthy again but still ejected (10 s): the state a cold replica that lost hedges while
    // warming is left in.
    replicaFaults[0].clearAll();
    replicas[1].stop();
    servers.remove(replicas[1]);
    long before = replicaFaults[0].seenCalls();
    for (int i = 0; i < 10; i++) {
      RecommendResponse r = call(i);
      assertFalse(
          r.getDegraded(),
          () ->
              "the panic channel reached the ejected but healthy replica: "
                  + r.getDegradedReasonsList());
    }
    assertTrue(replicaFaults[0].seenCalls() > before, "replica 0 served the calls");
    double panics =
        telemetry
            .registry()
            .get("ranking.panic.routes")
            .tag("stage", "recall_shard_0")
            .counter()
            .count();
    assertTrue(panics >= 1, "the panic routes are counted: " + panics);
  }

  /** Makes replica 0 fail every call until outlier detection ejects it (true within 15 s). */
  private boolean ejectReplica0() {
    for (int i = 0;
        i < 50 && (replicaFaults[0].seenCalls() == 0 || replicaFaults[1].seenCalls() == 0);
        i++) {
      call(i);
    }
    // Up, but answering every call with an error: round_robin alone would keep sending it half the
    // traffic.
    replicaFaults[0].set("*", FaultInjector.Rule.abort(io.grpc.Status.Code.UNAVAILABLE));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int i = 0;
    while (System.nanoTime() < until) {
      long before = replicaFaults[0].seenCalls();
      boolean degraded = false;
      for (int k = 0; k < 20; k++) {
        degraded |= call(i++).getDegraded();
      }
      if (replicaFaults[0].seenCalls() == before && !degraded) {
        return true;
      }
    }
    return false;
  }

  @Test
  void hedging_slowReplica_secondAttemptGoesToTheOther_noDegradation() throws Exception {
    startCluster(10);
    // Round robin only picks connected replicas: warm until both have answered, as the mixer's
    // warm-up does.
    for (int i = 0;
        i < 50 && (replicaFaults[0].seenCalls() == 0 || replicaFaults[1].seenCalls() == 0);
        i++) {
      call(i);
    }
    replicaFaults[0].set("*", FaultInjector.Rule.delay(60_000));
    for (int i = 0; i < 10; i++) {
      RecommendResponse r = call(i);
      assertFalse(
          r.getDegraded(),
          () -> "the hedge to the healthy replica answered: " + r.getDegradedReasonsList());
    }
    assertTrue(replicaFaults[0].delayedCalls() > 0, "some first attempts went to the slow replica");
  }
}
