package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerOptions;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.SnapshotOptions;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.common.snapshot.SnapshotWatcher.Outcome;
import io.rankingcluster.common.snapshot.TinySnapshots;
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

/** A recall shard behind a real in-process server while its snapshot root gets new versions, good and bad. */
class RecallHotSwapTest {
  @TempDir
  Path root;

  private final String name = "recall-swap-" + System.nanoTime();
  private SnapshotWatcher<ShardData> watcher;
  private ManagedServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotOptions data = ServiceMain.defaults(new SnapshotOptions());
    data.root = root;
    data.pollSeconds = 0; // the tests poll explicitly
    watcher = data.watcher("recall-service", s -> ShardData.of(s, 0, 1));
    ServerOptions options = ServiceMain.defaults(new ServerOptions());
    options.defaultDeadlineMs = 5_000; // generous: the machine is shared and noisy
    options.drainSeconds = 1;
    RecallServiceImpl impl = new RecallServiceImpl(watcher.versioned(), ServiceMain.defaults(new RecallLimits()));
    server = new ManagedServer("recall-service", InProcessServerBuilder.forName(name), options, List.of(impl))
        .closeOnStop(watcher).closeOnStop(impl::close).start(() -> {});
    watcher.start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.stop();
  }

  private RecallResponse recall(String pinned) {
    return RecallServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).recall(RecallRequest.newBuilder()
        .setContext(RequestContext.newBuilder().setUserId("3").setSnapshotVersion(pinned)).build());
  }

  @Test
  void recall_corruptNewSnapshot_isRefused_andV1KeepsAnswering() throws Exception {
    TinySnapshots.publishCorrupt(root, "v2");
    assertEquals(Outcome.REFUSED, watcher.poll());
    assertEquals(1, watcher.refusedCount());
    assertTrue(watcher.lastRefusal().contains("items.bin: checksum mismatch"), watcher.lastRefusal());

    RecallResponse r = recall("");
    assertEquals("v1", r.getSnapshotVersion());
    assertTrue(r.getCandidates().getItemIdsCount() > 0, "v1 still answers with candidates");
    assertEquals("v1", recall("v2").getSnapshotVersion(), "pinned to the refused version: answered by v1");
  }

  @Test
  void recall_newSnapshotSwappedIn_answersV2_andV1ForRequestsPinnedWithinGrace() throws Exception {
    TinySnapshots.publish(root, "v2");
    assertEquals(Outcome.SWAPPED, watcher.poll());
    assertEquals("v2", recall("").getSnapshotVersion());
    assertEquals("v1", recall("v1").getSnapshotVersion(), "the previous version serves requests pinned to it");
    assertEquals("v2", recall("v0").getSnapshotVersion(), "a version never held: the current one answers");
    assertEquals("v1", RecallServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getEmbeddings(GetEmbeddingsRequest.newBuilder().setContext(RequestContext.newBuilder().setSnapshotVersion("v1"))
            .addItemIds(100_001L).build()).getSnapshotVersion());
  }

  @Test
  void recall_callsDuringSwaps_eachAnsweredWholeByOneVersion() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    CompletableFuture<Integer> caller = CompletableFuture.supplyAsync(() -> {
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
}
