package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CURRENT only ever names a complete version: crashes, publish, rollback and retention. */
class SnapshotStoreTest {
  private static final long T0 = 1_767_225_600L;

  @TempDir Path root;

  private List<String> rootEntries() throws IOException {
    try (var list = Files.list(root)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void publishPointsCurrentAtAVersion() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    assertEquals(Optional.empty(), store.current());
    assertEquals(
        "no CURRENT in " + root,
        assertThrows(SnapshotException.class, store::readCurrent).getMessage());
    TestSnapshots.write(root, "v1", T0);
    store.publish("v1");
    assertEquals(Optional.of("v1"), store.current());
    assertEquals("v1\n", Files.readString(root.resolve("CURRENT")));
    assertEquals("v1", SnapshotReader.readCurrent(root).version());
    assertEquals(List.of("CURRENT", "v1"), rootEntries());
  }

  @Test
  void writerFailingHalfwayLeavesCurrentOnThePreviousVersion() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    TestSnapshots.write(root, "v1", T0);
    store.publish("v1");
    List<String> written = new ArrayList<>();
    SnapshotWriter crashing =
        new SnapshotWriter(
            TestSnapshots.clockAt(T0 + 60),
            path -> {
              written.add(path);
              if (written.size() == 3) {
                throw new IOException("simulated crash after " + path);
              }
            });
    IOException e =
        assertThrows(IOException.class, () -> crashing.write(root, TestSnapshots.small("v2")));
    assertEquals("simulated crash after categories.tsv", e.getMessage());

    assertEquals(Optional.of("v1"), store.current());
    assertEquals("v1", SnapshotReader.readCurrent(root).version());
    assertEquals(List.of("v1"), store.versionNames());
    assertEquals(
        List.of("CURRENT", "v1"), rootEntries(), "the failed write cleans its temporary folder");
    assertThrows(SnapshotException.class, () -> store.publish("v2"));
    assertEquals(Optional.of("v1"), store.current());
  }

  @Test
  void crashAfterTheManifestButBeforeTheRenameIsNotAVersion() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    TestSnapshots.write(root, "v1", T0);
    store.publish("v1");
    SnapshotWriter crashing =
        new SnapshotWriter(
            TestSnapshots.clockAt(T0 + 60),
            path -> {
              if (path.equals(Manifest.FILE_NAME)) {
                throw new IOException("simulated crash before rename");
              }
            });
    assertThrows(IOException.class, () -> crashing.write(root, TestSnapshots.small("v2")));
    assertFalse(Files.exists(root.resolve("v2")));
    assertEquals(List.of("v1"), store.versionNames());
    assertEquals("v1", store.readCurrent().version());
  }

  @Test
  void leftoversOfAKilledWriterAreIgnoredThenCleaned() throws Exception {
    SnapshotStore store =
        new SnapshotStore(root, Duration.ofHours(1), TestSnapshots.clockAt(T0 + 7200));
    TestSnapshots.write(root, "v1", T0);
    store.publish("v1");
    // A writer killed mid-way (no cleanup possible): a .tmp folder with some files, even a complete
    // manifest,
    // a half-written CURRENT.tmp, and a foreign tool's folder being filled in place (no manifest
    // yet).
    Path stale = Files.createDirectory(root.resolve(".tmp-v2-0badc0ffee00"));
    Files.copy(root.resolve("v1/items.bin"), stale.resolve("items.bin"));
    Files.copy(root.resolve("v1/manifest.json"), stale.resolve("manifest.json"));
    Path staleCurrent = Files.writeString(root.resolve("CURRENT.tmp-abc"), "v");
    Path fresh = Files.createDirectory(root.resolve(".tmp-v3-123456789abc"));
    Path inPlace = Files.createDirectory(root.resolve("v9"));
    Files.writeString(inPlace.resolve("items.bin"), "partial");
    // A writer busy with one big file for a long time: its folder is old, the file it writes is
    // not.
    Path busy = Files.createDirectory(root.resolve(".tmp-v4-busy"));
    Path bigFile = Files.writeString(busy.resolve("item_embeddings.f32"), "....");
    FileTime old = FileTime.from(Instant.ofEpochSecond(T0));
    FileTime recent = FileTime.from(Instant.ofEpochSecond(T0 + 7000));
    for (Path p :
        List.of(
            stale.resolve("items.bin"),
            stale.resolve("manifest.json"),
            stale,
            staleCurrent,
            busy)) {
      Files.setLastModifiedTime(p, old);
    }
    Files.setLastModifiedTime(fresh, recent);
    Files.setLastModifiedTime(bigFile, recent);

    assertEquals(List.of("v1"), store.versionNames());
    assertEquals("v1", SnapshotReader.readCurrent(root).version());
    assertThrows(SnapshotException.class, () -> store.publish("v9"));
    assertThrows(SnapshotException.class, () -> store.publish(".tmp-v2-0badc0ffee00"));
    assertEquals(Optional.of("v1"), store.current());

    List<String> deleted = store.retain(5);
    assertEquals(Set.of(".tmp-v2-0badc0ffee00", "CURRENT.tmp-abc"), Set.copyOf(deleted));
    assertEquals(
        List.of(".tmp-v3-123456789abc", ".tmp-v4-busy", "CURRENT", "v1", "v9"),
        rootEntries(),
        "a temporary folder with recent writes may belong to a running writer; a foreign folder is"
            + " left alone");
  }

  @Test
  void versionsAreOrderedByCreationTimeNotName() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    TestSnapshots.write(root, "b", T0);
    TestSnapshots.write(root, "a", T0 + 10);
    TestSnapshots.write(root, "c", T0 + 5);
    assertEquals(List.of("b", "c", "a"), store.versionNames());
    assertEquals(Instant.ofEpochSecond(T0 + 10), store.versions().get(2).createdAt());
  }

  @Test
  void pinRollsBackToAValidatedOlderVersion() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    TestSnapshots.write(root, "v1", T0);
    TestSnapshots.write(root, "v2", T0 + 10);
    store.publish("v2");
    assertEquals("v1", store.pin("v1").version());
    assertEquals(Optional.of("v1"), store.current());
    store.publish("v2");

    TestSnapshots.flipByte(root.resolve("v1/i2i.bin"), 33);
    SnapshotException e = assertThrows(SnapshotException.class, () -> store.pin("v1"));
    assertTrue(e.getMessage().startsWith("i2i.bin: checksum mismatch"), e.getMessage());
    assertEquals(Optional.of("v2"), store.current(), "a damaged version is never pinned");
    assertThrows(SnapshotException.class, () -> store.pin("v7"));
    assertEquals(Optional.of("v2"), store.current());
  }

  @Test
  void retainKeepsTheNewestAndTheCurrent() throws Exception {
    SnapshotStore store = new SnapshotStore(root);
    for (int i = 1; i <= 5; i++) {
      TestSnapshots.write(root, "v" + i, T0 + i);
    }
    store.pin("v2");
    List<String> deleted = store.retain(2);
    assertEquals(List.of("v1", "v3"), deleted);
    assertEquals(List.of("v2", "v4", "v5"), store.versionNames());
    assertEquals(List.of("CURRENT", "v2", "v4", "v5"), rootEntries());
    assertEquals("v2", store.readCurrent().version());
    assertEquals(List.of(), store.retain(2), "the current one stays, beyond the newest two");
    assertThrows(IllegalArgumentException.class, () -> store.retain(0));
  }

  @Test
  void currentNamingAMissingVersionIsRefusedByName() throws Exception {
    Files.writeString(root.resolve("CURRENT"), "v5\n");
    SnapshotException e =
        assertThrows(SnapshotException.class, () -> SnapshotReader.readCurrent(root));
    assertEquals("snapshot folder " + root.resolve("v5") + " does not exist", e.getMessage());
    Files.writeString(root.resolve("CURRENT"), "../etc\n");
    e = assertThrows(SnapshotException.class, () -> SnapshotReader.readCurrent(root));
    assertEquals("CURRENT in " + root + ": \"../etc\" is not a version name", e.getMessage());
  }

  @Test
  void validatorReportsAVersionOrTheCurrentOne() throws Exception {
    Path dir = TestSnapshots.write(root, "v1", T0);
    new SnapshotStore(root).publish("v1");
    SnapshotValidator.Report byRoot = SnapshotValidator.validate(root);
    SnapshotValidator.Report byDir = SnapshotValidator.validate(dir);
    assertEquals(byDir.manifest(), byRoot.manifest());
    String text = byRoot.toString();
    assertTrue(text.startsWith("snapshot v1 ("), text);
    assertTrue(
        text.contains("items 6, users 3, item embedding dim 4, user vector dim 2, i2i edges 4"),
        text);
    assertTrue(text.contains("files OK: 10 ("), text);
    assertTrue(text.contains("derived: 0 of 0 usable"), text);

    Files.delete(dir.resolve("manifest.json"));
    SnapshotException e =
        assertThrows(SnapshotException.class, () -> SnapshotValidator.validate(root));
    assertEquals("no manifest.json in " + dir, e.getMessage());
  }
}
