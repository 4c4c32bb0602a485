package io.rankingcluster.common.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManagedServerTest {
  private final String name = "managed-" + System.nanoTime();
  private final ManagedChannel channel = InProcessChannelBuilder.forName(name).build();

  /** A Rank service whose first call blocks until released; later calls answer at once. */
  static final class BlockingRank extends RankServiceGrpc.RankServiceImplBase {
    final CountDownLatch firstCallStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> out) {
      if (calls.incrementAndGet() == 1) {
        firstCallStarted.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      out.onNext(RankResponse.newBuilder().setModelVersion("m").build());
      out.onCompleted();
    }
  }

  private ManagedServer server(BindableService service, int drainSeconds) {
    // Exactly the warm-up calls asked for: the adaptive rounds have their own test.
    return server(service, drainSeconds, 0);
  }

  private ManagedServer server(BindableService service, int drainSeconds, int warmupMaxSeconds) {
    ServerConfig options =
        ServerConfig.parse(
            "--drain-seconds=" + drainSeconds,
            "--default-deadline-ms=30000",
            "--warmup-max-seconds=" + warmupMaxSeconds);
    return new ManagedServer(
        "test", InProcessServerBuilder.forName(name), options, List.of(service));
  }

  /** A rank whose calls get faster over the first {@code fallingCalls}, then stay flat. */
  static final class WarmingRank extends RankServiceGrpc.RankServiceImplBase {
    final int fallingCalls;
    final AtomicInteger calls = new AtomicInteger();

    WarmingRank(int fallingCalls) {
      this.fallingCalls = fallingCalls;
    }

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> out) {
      int i = calls.incrementAndGet();
      // From 4 ms down to 0.2 ms over the falling calls: a JIT at work, as seen by the warm-up.
      long micros = i <= fallingCalls ? 200 + 3800L * (fallingCalls - i) / fallingCalls : 200;
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
      out.onNext(RankResponse.newBuilder().setModelVersion("m").build());
      out.onCompleted();
    }
  }

  @Test
  void warmUp_goesOnWhileLatencyFalls_thenStops() throws Exception {
    WarmingRank rank = new WarmingRank(300);
    ManagedServer server = server(rank, 1, 30);
    AtomicInteger answered = new AtomicInteger();
    server.start(
        () ->
            answered.set(
                server.warmUpCalls(
                    RankServiceGrpc.getRankMethod(), 40, i -> RankRequest.getDefaultInstance())));
    try {
      // Asked for 40 (rounds of 20): latency kept falling until call 300, so the warm-up went on
      // past it, and stopped within a few flat rounds after, long before its 30 s bound.
      assertTrue(answered.get() >= 280, "went on while latency fell: " + answered.get());
      assertTrue(answered.get() <= 600, "stopped once it was flat: " + answered.get());
      assertEquals(answered.get(), rank.calls.get());
    } finally {
      server.stop();
    }
  }

  private ServingStatus health(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  @AfterEach
  void close() {
    channel.shutdownNow();
  }

  @Test
  void start_servicePortClosedWhileWarming_warmUpCallsReachTheService_thenServing()
      throws Exception {
    AtomicReference<Status.Code> portDuringWarmUp = new AtomicReference<>();
    AtomicInteger warmUpAnswered = new AtomicInteger();
    BlockingRank rank = new BlockingRank();
    rank.release.countDown(); // no call blocks here
    ManagedServer server = server(rank, 1);
    server.start(
        () -> {
          try {
            health("");
          } catch (StatusRuntimeException e) {
            portDuringWarmUp.set(e.getStatus().getCode());
          }
          warmUpAnswered.set(
              server.warmUpCalls(
                  RankServiceGrpc.getRankMethod(), 3, i -> RankRequest.getDefaultInstance()));
        });
    try {
      assertEquals(
          Status.Code.UNAVAILABLE,
          portDuringWarmUp.get(),
          "no balancer can reach a warming server");
      assertEquals(
          3, warmUpAnswered.get(), "the warm-up calls went through the loopback warm-up port");
      assertEquals(3, rank.calls.get());
      channel.resetConnectBackoff(); // the refused call during the warm-up left the channel in its
      // backoff
      assertEquals(ServingStatus.SERVING, health("ranking.v1.RankService"));
      assertEquals(ServingStatus.SERVING, health(""));
      IllegalStateException outside =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class,
              () ->
                  server.warmUpCalls(
                      RankServiceGrpc.getRankMethod(), 1, i -> RankRequest.getDefaultInstance()));
      assertTrue(outside.getMessage().contains("inside the warm-up"), outside.getMessage());
    } finally {
      server.stop();
    }
  }

  @Test
  void start_measuresTimeToServing_andStopClosesRegisteredResourcesLastFirst() throws Exception {
    ManagedServer server = server(new BlockingRank(), 1);
    List<String> closed = new CopyOnWriteArrayList<>();
    server.closeOnStop(() -> closed.add("first")).closeOnStop(() -> closed.add("second"));
    assertEquals(-1, server.startupMillis());
    server.start(() -> {});
    assertTrue(
        server.warmUpMillis() >= 0 && server.startupMillis() >= server.warmUpMillis(),
        "startup " + server.startupMillis() + " ms, warm-up " + server.warmUpMillis() + " ms");
    assertTrue(closed.isEmpty(), "nothing closes while serving");
    server.stop();
    assertEquals(List.of("second", "first"), closed);
  }

  @Test
  void stop_healthFirst_inFlightCallCompletes_newCallsUnavailable() throws Exception {
    BlockingRank rank = new BlockingRank();
    ManagedServer server = server(rank, 20).start(() -> {});
    // Watch health from before the stop, to see NOT_SERVING on a stream that outlives the shutdown.
    List<ServingStatus> watched = new CopyOnWriteArrayList<>();
    CountDownLatch notServing = new CountDownLatch(1);
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse r) {
                watched.add(r.getStatus());
                if (r.getStatus() == ServingStatus.NOT_SERVING) {
                  notServing.countDown();
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    CompletableFuture<RankResponse> inFlight =
        CompletableFuture.supplyAsync(
            () ->
                RankServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .rank(RankRequest.getDefaultInstance()));
    assertTrue(
        rank.firstCallStarted.await(10, TimeUnit.SECONDS), "first call never reached the service");

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
    assertTrue(
        notServing.await(10, TimeUnit.SECONDS), "health never went NOT_SERVING; saw " + watched);
    assertTrue(
        !inFlight.isDone(),
        "the in-flight call must still be running when health turns NOT_SERVING");

    // New calls are refused once the server stops accepting (poll: shutdown follows the health
    // change).
    Status.Code code = null;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      try {
        RankServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .rank(RankRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
        break;
      }
    }
    assertEquals(Status.Code.UNAVAILABLE, code);

    rank.release.countDown();
    assertEquals(
        "m",
        inFlight.get(10, TimeUnit.SECONDS).getModelVersion(),
        "the in-flight call completes normally");
    stopping.get(30, TimeUnit.SECONDS);
  }

  /**
   * A started server of {@code rank} with {@code threads} request threads (0: the default) and a
   * call limit.
   */
  private ManagedServer limited(BlockingRank rank, int threads, int maxConcurrentCalls)
      throws Exception {
    ServerConfig options =
        ServerConfig.parse(
            "--threads=" + threads,
            "--max-concurrent-calls=" + maxConcurrentCalls,
            "--drain-seconds=1");
    return new ManagedServer("test", InProcessServerBuilder.forName(name), options, List.of(rank))
        .start(() -> {});
  }

  /** A Rank call in the background, with a far deadline. */
  private CompletableFuture<RankResponse> rankAsync() {
    return CompletableFuture.supplyAsync(
        () ->
            RankServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .rank(RankRequest.getDefaultInstance()));
  }

  @Test
  void concurrencyLimit_shedsBeyondLimit_withResourceExhausted() throws Exception {
    BlockingRank rank = new BlockingRank();
    ManagedServer server = limited(rank, 0, 1);
    try {
      CompletableFuture<RankResponse> first = rankAsync();
      assertTrue(rank.firstCallStarted.await(10, TimeUnit.SECONDS));
      StatusRuntimeException shed =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  RankServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .rank(RankRequest.getDefaultInstance()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, shed.getStatus().getCode());
      org.junit.jupiter.api.Assertions.assertNull(
          Status.trailersFromThrowable(shed).get(RetryPushback.KEY),
          "a refusal does not invite an immediate retry");
      rank.release.countDown();
      first.get(10, TimeUnit.SECONDS);
      // Capacity returns once the first call is done (the server counts it done just after the
      // client sees the
      // answer, so poll with a bound).
      String version =
          await()
              .atMost(java.time.Duration.ofSeconds(10))
              .ignoreExceptionsMatching(
                  e ->
                      e instanceof StatusRuntimeException s
                          && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED)
              .until(
                  () ->
                      RankServiceGrpc.newBlockingStub(channel)
                          .withDeadlineAfter(5, TimeUnit.SECONDS)
                          .rank(RankRequest.getDefaultInstance())
                          .getModelVersion(),
                  java.util.Objects::nonNull);
      assertEquals("m", version);
    } finally {
      server.stop();
    }
  }

  @Test
  void admission_refusesOnTheTransportThread_whileEveryRequestThreadIsBusy_andHealthStillAnswers()
      throws Exception {
    BlockingRank rank = new BlockingRank();
    ManagedServer server = limited(rank, 1, 2);
    try {
      // The only request thread is held by the first call; the second is admitted and waits for it
      // in the queue.
      CompletableFuture<RankResponse> first = rankAsync();
      assertTrue(rank.firstCallStarted.await(10, TimeUnit.SECONDS));
      CompletableFuture<RankResponse> second = rankAsync();
      // The second call reaches the server on another thread.
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> server.inFlight() >= 2);
      assertEquals(2, server.inFlight(), "the queued call counts in flight");
      // A third call is refused at once, not after the thread is free (it would then wait out its
      // deadline).
      long start = System.nanoTime();
      StatusRuntimeException shed =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  RankServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .rank(RankRequest.getDefaultInstance()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, shed.getStatus().getCode(), shed::toString);
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3),
          "refused without waiting for the busy thread");
      assertEquals(
          ServingStatus.SERVING,
          health(""),
          "a health check does not wait for the busy thread either");
      rank.release.countDown();
      assertEquals("m", first.get(10, TimeUnit.SECONDS).getModelVersion());
      assertEquals("m", second.get(10, TimeUnit.SECONDS).getModelVersion());
    } finally {
      server.stop();
    }
  }

  @Test
  void unavailable_carriesARetryPushbackOfZero_soHedgingMovesOnAtOnce() throws Exception {
    RankServiceGrpc.RankServiceImplBase failing =
        new RankServiceGrpc.RankServiceImplBase() {
          @Override
          public void rank(RankRequest request, StreamObserver<RankResponse> out) {
            throw Status.UNAVAILABLE.withDescription("model not loaded").asRuntimeException();
          }
        };
    ManagedServer server = server(failing, 1).start(() -> {});
    try {
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  RankServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .rank(RankRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertEquals("0", Status.trailersFromThrowable(e).get(RetryPushback.KEY));
    } finally {
      server.stop();
    }
  }

  @Test
  void serverBuilder_portTaken_failsAtOnceNamingThePort() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      ServerConfig options = ServerConfig.parse("--host=127.0.0.1");
      Validation.ConfigException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              Validation.ConfigException.class,
              () -> ServiceMain.serverBuilder(options, taken.getLocalPort()));
      assertTrue(e.getMessage().contains("--port " + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void healthPort_servesHealthInPlaintext_andFollowsTheMainPort() throws Exception {
    int port;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    ServerConfig options = ServerConfig.parse("--health-port=" + port);
    ManagedServer server =
        new ManagedServer(
                "test", InProcessServerBuilder.forName(name), options, List.of(new BlockingRank()))
            .start(() -> {});
    ServiceMain.serveHealthPort(server, options);
    io.grpc.ManagedChannel plain =
        io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .build();
    try {
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(plain)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus());
      server.stop();
      io.grpc.StatusRuntimeException after =
          org.junit.jupiter.api.Assertions.assertThrows(
              io.grpc.StatusRuntimeException.class,
              () ->
                  HealthGrpc.newBlockingStub(plain)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .check(HealthCheckRequest.getDefaultInstance()));
      assertEquals(
          io.grpc.Status.Code.UNAVAILABLE, after.getStatus().getCode(), "closed with the server");
    } finally {
      plain.shutdownNow();
    }
  }
}
