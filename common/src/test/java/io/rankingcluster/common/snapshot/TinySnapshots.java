package io.rankingcluster.common.snapshot;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotStore;
import io.rankingcluster.offline.world.DemoWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Small snapshots for hot-swap tests in any module (this class ships in common's test jar): a
 * 300-item demo world with deterministic random embeddings and no neighbours, cheap to write and
 * read; and helpers to publish, damage, and wait for a state with a bound.
 */
public final class TinySnapshots {
  /** The data every tiny version shares; versions differ by name only. */
  private static final Snapshot BASE = build();

  private TinySnapshots() {}

  private static Snapshot build() {
    DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(11, 300, 40, 5));
    int dim = 8;
    SplittableRandom rnd = new SplittableRandom(11);
    float[] items = new float[w.catalog.size() * dim];
    for (int i = 0; i < items.length; i++) {
      items[i] = (float) rnd.nextGaussian();
    }
    float[] users = new float[w.users.size() * dim];
    for (int i = 0; i < users.length; i++) {
      users[i] = (float) rnd.nextGaussian();
    }
    return new Snapshot(
        "base",
        w.categories,
        w.catalog,
        w.users,
        new Embeddings(w.catalog.size(), dim, items),
        new Embeddings(w.users.size(), dim, users),
        ItemNeighbours.empty(w.catalog.size()),
        Map.of(),
        Map.of(),
        Map.of("generator", "TinySnapshots"));
  }

  /** The tiny snapshot under the name {@code version}. */
  public static Snapshot named(String version) {
    Snapshot b = BASE;
    return new Snapshot(
        version,
        b.categories(),
        b.catalog(),
        b.users(),
        b.itemEmbeddings(),
        b.userVectors(),
        b.itemNeighbours(),
        b.models(),
        b.modelVersions(),
        b.provenance());
  }

  /** Writes {@code version} into {@code root} and points CURRENT at it; returns its folder. */
  public static Path publish(Path root, String version) throws IOException {
    SnapshotStore store = new SnapshotStore(root);
    Path dir = store.write(named(version));
    store.publish(version);
    return dir;
  }

  /**
   * Writes {@code version}, damages one byte of its item table (its SHA-256 no longer matches the
   * manifest), and points CURRENT at it, as a bad copy or a failing disk would leave it.
   */
  public static Path publishCorrupt(Path root, String version) throws IOException {
    SnapshotStore store = new SnapshotStore(root);
    Path dir = store.write(named(version));
    flipByte(dir.resolve("items.bin"), 100);
    store.publish(version);
    return dir;
  }

  public static void flipByte(Path file, int offset) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[offset] ^= 0x01;
    Files.write(file, b);
  }

  /**
   * Moves CURRENT's modification time a minute on: a re-publish, without depending on how fine the
   * file system's clock is.
   */
  public static void touchCurrent(Path root) throws IOException {
    Path current = root.resolve("CURRENT");
    FileTime t = Files.getLastModifiedTime(current);
    Files.setLastModifiedTime(current, FileTime.fromMillis(t.toMillis() + 60_000));
  }

  /**
   * Waits until {@code condition} holds, checking every 5 ms; false if it did not within {@code
   * bound}.
   */
  public static boolean await(Duration bound, BooleanSupplier condition) {
    try {
      org.awaitility.Awaitility.await()
          .atMost(bound)
          .pollInterval(Duration.ofMillis(5))
          .until(condition::getAsBoolean);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }
}
