package io.rankingcluster.common.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.snapshot.SnapshotWatcher.Outcome;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.core.snapshot.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polling CURRENT, loading beside, swapping, refusing: the watcher driven by explicit polls. */
class SnapshotWatcherTest {
  @TempDir Path root;

  /**
   * The state a service would build: here, the version and the item count, to see what answered.
   */
  record State(String version, int items) {
    static State of(Snapshot s) {
      return new State(s.version(), s.catalog().size());
    }
  }

  private SnapshotWatcher<State> watcher;

  private SnapshotWatcher<State> watch(SnapshotWatcher.StateBuilder<State> builder, Duration poll)
      throws Exception {
    watcher =
        new SnapshotWatcher<>(
            "test", root, SnapshotReader.readCurrent(root), builder, poll, Duration.ofSeconds(60));
    return watcher;
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  @Test
  void poll_newVersionPublished_swapsAndKeepsPreviousForPinnedRequests() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotWatcher<State> w = watch(State::of, Duration.ZERO);
    assertEquals(Outcome.UNCHANGED, w.poll());
    assertEquals("v1", w.currentVersion());

    TinySnapshots.publish(root, "v2");
    assertEquals(Outcome.SWAPPED, w.poll());
    assertEquals("v2", w.currentVersion());
    assertEquals("v2", w.versioned().current().state().version());
    assertEquals(1, w.swapCount());
    Versioned.Entry<State> pinned = w.versioned().forVersion("v1");
    assertEquals("v1", pinned.state().version(), "v1 stays loaded for requests pinned to it");
    assertFalse(pinned.isSkewFor("v1"));
    assertEquals(Outcome.UNCHANGED, w.poll());
  }

  @Test
  void poll_rollbackToPreviousWithinGrace_swapsBackWithoutReloading() throws Exception {
    TinySnapshots.publish(root, "v1");
    AtomicInteger builds = new AtomicInteger();
    SnapshotWatcher<State> w =
        watch(
            s -> {
              builds.incrementAndGet();
              return State.of(s);
            },
            Duration.ZERO);
    TinySnapshots.publish(root, "v2");
    assertEquals(Outcome.SWAPPED, w.poll());
    new SnapshotStore(root).publish("v1"); // what `offline pin v1` does once v1 validates
    assertEquals(Outcome.SWAPPED, w.poll());
    assertEquals("v1", w.currentVersion());
    assertEquals(2, builds.get(), "v1 was still loaded: no second build");
    assertEquals(
        "v2", w.versioned().forVersion("v2").version(), "and v2 is now the previous version");
    assertEquals(2, w.swapCount());
  }

  @Test
  void poll_corruptNewVersion_isRefusedOnce_andOldKeepsServing() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotWatcher<State> w = watch(State::of, Duration.ZERO);
    TinySnapshots.publishCorrupt(root, "v2");

    assertEquals(Outcome.REFUSED, w.poll());
    assertEquals("v1", w.currentVersion());
    assertEquals(
        "v1",
        w.versioned().forVersion("v2").version(),
        "a request pinned to the refused version gets v1");
    assertEquals(1, w.refusedCount());
    assertEquals(0, w.swapCount());
    assertTrue(w.lastRefusal().startsWith("v2: items.bin: checksum mismatch"), w.lastRefusal());

    assertEquals(Outcome.STILL_REFUSED, w.poll(), "not retried until CURRENT changes");
    assertEquals(1, w.refusedCount());

    TinySnapshots.publish(root, "v3");
    assertEquals(Outcome.SWAPPED, w.poll(), "a later good version is taken");
    assertEquals("v3", w.currentVersion());
  }

  @Test
  void instrument_exportsVersionInUse_swapsAndRefusals() throws Exception {
    TinySnapshots.publish(root, "v1");
    io.rankingcluster.common.metrics.Telemetry t =
        io.rankingcluster.common.metrics.Telemetry.create("test");
    SnapshotWatcher<State> w = watch(State::of, Duration.ZERO).instrument(t);
    assertTrue(
        t.scrape().contains("ranking_snapshot_info{service=\"test\",version=\"v1\"} 1"),
        t.scrape());
    TinySnapshots.publishCorrupt(root, "v2");
    assertEquals(Outcome.REFUSED, w.poll());
    assertTrue(t.scrape().contains("ranking_snapshot_refusals_total{service=\"test\"} 1.0"));
    TinySnapshots.publish(root, "v3");
    assertEquals(Outcome.SWAPPED, w.poll());
    String text = t.scrape();
    assertTrue(text.contains("ranking_snapshot_info{service=\"test\",version=\"v3\"} 1"), text);
    assertTrue(!text.contains("version=\"v1\""), "the old version's series is gone");
    assertTrue(text.contains("ranking_snapshot_swaps_total{service=\"test\"} 1.0"));
  }

  @Test
  void poll_refusedVersionRepairedAndRepublished_isRetried() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotWatcher<State> w = watch(State::of, Duration.ZERO);
    Path v2 = TinySnapshots.publishCorrupt(root, "v2");
    assertEquals(Outcome.REFUSED, w.poll());

    TinySnapshots.flipByte(v2.resolve("items.bin"), 100); // repaired
    assertEquals(Outcome.STILL_REFUSED, w.poll(), "repairing files alone does not retry");
    TinySnapshots.touchCurrent(root); // re-published (as `offline pin` does)
    assertEquals(Outcome.SWAPPED, w.poll());
    assertEquals("v2", w.currentVersion());
  }

  @Test
  void poll_stateBuilderFails_versionRefused_andOldKeepsServing() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotWatcher<State> w =
        watch(
            s -> {
              if (s.version().equals("v2")) {
                throw new IllegalArgumentException("embedding dimension 8, expected 16");
              }
              return State.of(s);
            },
            Duration.ZERO);
    TinySnapshots.publish(root, "v2");
    assertEquals(Outcome.REFUSED, w.poll());
    assertEquals("v1", w.currentVersion());
    assertEquals(1, w.refusedCount());
    assertTrue(w.lastRefusal().contains("embedding dimension 8, expected 16"), w.lastRefusal());
  }

  @Test
  void poll_unreadableCurrent_countsPollErrorAndKeepsServing() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotWatcher<State> w = watch(State::of, Duration.ZERO);
    Files.writeString(root.resolve("CURRENT"), "../etc\n");
    assertEquals(Outcome.POLL_FAILED, w.poll());
    Files.delete(root.resolve("CURRENT"));
    assertEquals(Outcome.POLL_FAILED, w.poll());
    assertEquals(2, w.pollErrorCount());
    assertEquals(0, w.refusedCount());
    assertEquals("v1", w.currentVersion());
  }

  @Test
  void start_pollsOnItsOwn_andSwapsWithinABoundedTime() throws Exception {
    TinySnapshots.publish(root, "v1");
    AtomicInteger builds = new AtomicInteger();
    SnapshotWatcher<State> w =
        watch(
            s -> {
              builds.incrementAndGet();
              return State.of(s);
            },
            Duration.ofMillis(20));
    assertNotNull(w.initial(), "the initial snapshot is kept for the warm-up");
    w.start();
    assertNull(w.initial(), "and released once polling starts");
    TinySnapshots.publish(root, "v2");
    // The count moves after the swap, so once it does the version has too.
    assertTrue(
        TinySnapshots.await(Duration.ofSeconds(30), () -> w.swapCount() == 1),
        "v2 not swapped in by the background poll");
    assertEquals("v2", w.currentVersion());
    assertEquals(2, builds.get());
  }
}
