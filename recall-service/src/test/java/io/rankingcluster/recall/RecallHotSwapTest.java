package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.SnapshotConfig;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.common.snapshot.SnapshotWatcher.Outcome;
import io.rankingcluster.common.snapshot.TinySnapshots;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recall shard behind a real in-process server while its snapshot root gets new versions, good
 * and bad.
 */
class RecallHotSwapTest {
  @TempDir Path root;

  private final String name = "recall-swap-" + System.nanoTime();
  private SnapshotWatcher<ShardData> watcher;
  private TestServer server;
  private ManagedChannel channel;
  private final Telemetry telemetry = Telemetry.create("recall-service");

  @BeforeEach
  void start() throws Exception {
    TinySnapshots.publish(root, "v1");
    // The tests poll explicitly.
    watcher =
        SnapshotConfig.parse("--snapshot-root=" + root, "--snapshot-poll-seconds=0")
            .watcher("recall-service", s -> ShardData.of(s, 0, 1));
    watcher.instrument(telemetry);
    RecallServiceImpl impl = new RecallServiceImpl(watcher.versioned(), RecallConfig.defaults());
    server =
        TestServer.start(
                "recall-service",
                false,
                ServerConfig.parse(TestServer.GENEROUS),
                telemetry,
                new io.rankingcluster.common.server.FaultInjector(),
                List.of(impl))
            .closeOnStop(watcher)
            .closeOnStop(impl::close);
    watcher.start();
    channel = server.channel();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RecallResponse recall(String pinned) {
    return RecallServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .recall(
            RecallRequest.newBuilder()
                .setContext(RequestContext.newBuilder().setUserId("3").setSnapshotVersion(pinned))
                .build());
  }

  @Test
  void recall_corruptNewSnapshot_isRefused_andV1KeepsAnswering() throws Exception {
    TinySnapshots.publishCorrupt(root, "v2");
    assertEquals(Outcome.REFUSED, watcher.poll());
    assertEquals(1, watcher.refusedCount());
    assertTrue(
        watcher.lastRefusal().contains("items.bin: checksum mismatch"), watcher.lastRefusal());

    RecallResponse r = recall("");
    assertEquals("v1", r.getSnapshotVersion());
    assertTrue(r.getCandidates().getItemIdsCount() > 0, "v1 still answers with candidates");
    assertEquals(
        "v1", recall("v2").getSnapshotVersion(), "pinned to the refused version: answered by v1");
  }

  @Test
  void recall_newSnapshotSwappedIn_answersV2_andV1ForRequestsPinnedWithinGrace() throws Exception {
    TinySnapshots.publish(root, "v2");
    assertEquals(Outcome.SWAPPED, watcher.poll());
    assertEquals("v2", recall("").getSnapshotVersion());
    assertEquals(
        "v1",
        recall("v1").getSnapshotVersion(),
        "the previous version serves requests pinned to it");
    assertEquals(
        "v2", recall("v0").getSnapshotVersion(), "a version never held: the current one answers");
    assertEquals(
        "v1",
        RecallServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .getEmbeddings(
                GetEmbeddingsRequest.newBuilder()
                    .setContext(RequestContext.newBuilder().setSnapshotVersion("v1"))
                    .addItemIds(100_001L)
                    .build())
            .getSnapshotVersion());
  }

  @Test
  void recall_callsDuringSwaps_eachAnsweredWholeByOneVersion() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    CompletableFuture<Integer> caller =
        CompletableFuture.supplyAsync(
            () -> {
              int calls = 0;
              while (running.get() || calls == 0) {
                RecallResponse r = recall("");
                assertTrue(r.getCandidates().getItemIdsCount() > 0);
                seen.add(r.getSnapshotVersion());
                calls++;
              }
              return calls;
            });
    for (String v : new String[] {"v2", "v3", "v4"}) {
      TinySnapshots.publish(root, v);
      assertEquals(Outcome.SWAPPED, watcher.poll());
    }
    running.set(false);
    assertTrue(caller.get(60, TimeUnit.SECONDS) > 0);
    assertTrue(Set.of("v1", "v2", "v3", "v4").containsAll(seen), "unexpected versions " + seen);
    assertEquals("v4", recall("").getSnapshotVersion());
  }

  /**
   * Ways a new version can be broken on disk, as a bad copy, a full disk or an old writer leaves
   * it.
   */
  enum Damage {
    TRUNCATED_FILE,
    FLIPPED_BYTE,
    FORMAT_VERSION_MISMATCH,
    PARTIALLY_WRITTEN_MISSING_FILE,
    NO_MANIFEST
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Damage.class)
  void recall_brokenNewSnapshot_isRefusedLoggedAndCounted_previousKeepsServing_healthStaysServing(
      Damage damage) throws Exception {
    java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(SnapshotWatcher.class.getName());
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            logged.add(
                r.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(r));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try {
      io.rankingcluster.core.snapshot.SnapshotStore store =
          new io.rankingcluster.core.snapshot.SnapshotStore(root);
      Path dir = store.write(TinySnapshots.named("v2"));
      switch (damage) {
        case TRUNCATED_FILE -> {
          Path f = dir.resolve("item_embeddings.f32");
          byte[] b = java.nio.file.Files.readAllBytes(f);
          java.nio.file.Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        }
        case FLIPPED_BYTE -> TinySnapshots.flipByte(dir.resolve("items.bin"), 100);
        case FORMAT_VERSION_MISMATCH -> {
          Path m = dir.resolve("manifest.json");
          java.nio.file.Files.writeString(
              m,
              java.nio.file.Files.readString(m)
                  .replace("\"format_version\": 1", "\"format_version\": 99"));
        }
        case PARTIALLY_WRITTEN_MISSING_FILE ->
            java.nio.file.Files.delete(dir.resolve("titles.txt"));
        case NO_MANIFEST -> java.nio.file.Files.delete(dir.resolve("manifest.json"));
        default -> throw new IllegalStateException();
      }
      if (damage == Damage.NO_MANIFEST) {
        // The store refuses to publish an incomplete version; a careless tool writes CURRENT by
        // hand.
        java.nio.file.Files.writeString(root.resolve("CURRENT"), "v2\n");
        TinySnapshots.touchCurrent(root);
      } else {
        store.publish("v2");
      }
      assertEquals(Outcome.REFUSED, watcher.poll(), damage.name());
      assertEquals("v1", recall("").getSnapshotVersion(), "the previous version keeps answering");
      assertEquals(
          "SERVING",
          io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
              .getStatus()
              .name());
      assertTrue(
          telemetry
              .scrape()
              .contains("ranking_snapshot_refusals_total{service=\"recall-service\"} 1.0"),
          "counted in metrics");
      assertTrue(
          logged.stream()
              .anyMatch(l -> l.startsWith("WARNING") && l.contains("v2") && l.contains("refused")),
          () -> "logged: " + logged);
    } finally {
      log.removeHandler(capture);
    }
  }
}
