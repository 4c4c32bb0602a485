package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every damaged or inconsistent snapshot is refused with a message that names the file and the
 * problem.
 */
class SnapshotRefusalTest {
  @TempDir Path root;
  Path dir;

  @BeforeEach
  void writeGood() throws Exception {
    dir = TestSnapshots.write(root, "v1", 1_767_225_600L);
  }

  private String refusal() {
    return assertThrows(SnapshotException.class, () -> SnapshotReader.read(dir)).getMessage();
  }

  @Test
  void missingFile() throws Exception {
    Files.delete(dir.resolve("user_vectors.f32"));
    assertEquals("user_vectors.f32: missing (listed in manifest.json)", refusal());
  }

  @Test
  void missingModelFile() throws Exception {
    Files.delete(dir.resolve("models/rank.bin"));
    assertEquals("models/rank.bin: missing (listed in manifest.json)", refusal());
  }

  @Test
  void flippedByteFailsTheChecksum() throws Exception {
    TestSnapshots.flipByte(dir.resolve("items.bin"), 40);
    assertTrue(refusal().startsWith("items.bin: checksum mismatch"), refusal());
  }

  @Test
  void truncatedEmbeddingsAreCaughtBySize() throws Exception {
    Path f = dir.resolve("item_embeddings.f32");
    Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 92));
    assertEquals("item_embeddings.f32: size 92, manifest says 96", refusal());
  }

  @Test
  void noManifest() throws Exception {
    Files.delete(dir.resolve("manifest.json"));
    assertEquals("no manifest.json in " + dir, refusal());
  }

  @Test
  void unsupportedFormatVersion() throws Exception {
    TestSnapshots.writeManifestText(
        dir,
        TestSnapshots.manifestText(dir).replace("\"format_version\": 1", "\"format_version\": 2"));
    assertEquals(
        "manifest.json: format_version 2 not supported (this reader supports 1)", refusal());
  }

  @Test
  void manifestCountsMustMatchTheFiles() throws Exception {
    TestSnapshots.writeManifestText(
        dir, TestSnapshots.manifestText(dir).replace("\"items\": 6", "\"items\": 7"));
    assertEquals("items.bin: 6 rows, manifest counts.items says 7", refusal());
  }

  @Test
  void embeddingsMustBeRowsTimesDimTimesFour() throws Exception {
    // A writer that got the dimension wrong but listed its file honestly: checksums pass, the size
    // check does not.
    TestSnapshots.replaceConsistently(dir, "item_embeddings.f32", new byte[6 * 3 * 4]);
    assertEquals(
        "item_embeddings.f32: 72 bytes, expected 96 (counts.items 6 x counts.item_embedding_dim 4 x"
            + " 4)",
        refusal());
  }

  @Test
  void nonFiniteEmbeddingIsRefused() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("user_vectors.f32"));
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(3 * 4, Float.NaN);
    TestSnapshots.replaceConsistently(dir, "user_vectors.f32", b);
    assertEquals("user_vectors.f32: row 1 has a non-finite value (NaN)", refusal());
  }

  @Test
  void unknownKindIsRefused() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("items.bin"));
    int kindsColumn = 32 + 6 * 8;
    b[kindsColumn + 1] = 9;
    TestSnapshots.replaceConsistently(dir, "items.bin", b);
    assertEquals(
        "items.bin: row 1 (item 100002): kind 9 is not 1 (product), 2 (video) or 3 (live stream)",
        refusal());
  }

  @Test
  void duplicateItemIdIsRefused() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("items.bin"));
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(32 + 8, 100001L);
    TestSnapshots.replaceConsistently(dir, "items.bin", b);
    assertEquals("items.bin: duplicate item id 100001", refusal());
  }

  @Test
  void decreasingNeighbourOffsetsAreRefused() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("i2i.bin"));
    // offsets {0, 2, 2, 3, 3, 3, 4} -> {0, 2, 1, 3, ...}
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32 + 2 * 4, 1);
    TestSnapshots.replaceConsistently(dir, "i2i.bin", b);
    assertEquals("i2i.bin: offsets decrease at row 1 (2 then 1)", refusal());
  }

  @Test
  void neighbourOffsetsMustEndAtTheEdgeCount() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("i2i.bin"));
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32 + 6 * 4, 3);
    TestSnapshots.replaceConsistently(dir, "i2i.bin", b);
    assertEquals("i2i.bin: offsets end at 3, header says 4 edges", refusal());
  }

  @Test
  void userOffsetsAreChecked() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("users.bin"));
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32 + 8, 1);
    TestSnapshots.replaceConsistently(dir, "users.bin", b);
    assertEquals("users.bin: offsets[0] is 1, must be 0", refusal());
  }

  @Test
  void titleLineCountMustMatch() throws Exception {
    TestSnapshots.replaceConsistently(dir, "titles.txt", "one\ntwo\n".getBytes());
    assertEquals("titles.txt: 2 lines, items.bin has 6 rows", refusal());
  }

  @Test
  void crlfTextIsRefused() throws Exception {
    TestSnapshots.replaceConsistently(dir, "user_ids.txt", "1\r\n2\r\n3\r\n".getBytes());
    assertEquals("user_ids.txt: line 1 contains a carriage return", refusal());
  }

  @Test
  void badMagicIsRefused() throws Exception {
    byte[] b = Files.readAllBytes(dir.resolve("users.bin"));
    b[0] = 'X';
    TestSnapshots.replaceConsistently(dir, "users.bin", b);
    assertEquals("users.bin: bad magic (expected \"RCUSERS\\0\")", refusal());
  }

  @Test
  void manifestPathsCannotLeaveTheFolder() throws Exception {
    TestSnapshots.writeManifestText(
        dir, TestSnapshots.manifestText(dir).replace("\"models/rank.bin\"", "\"../rank.bin\""));
    assertEquals(
        "manifest.json: files[9].path \"../rank.bin\" is not a safe relative path (or names the"
            + " manifest itself)",
        refusal());
  }

  @Test
  void unknownManifestFieldIsRefused() throws Exception {
    TestSnapshots.writeManifestText(
        dir, TestSnapshots.manifestText(dir).replace("\"provenance\"", "\"provenanse\""));
    assertEquals("manifest.json: unknown field provenanse", refusal());
  }

  @Test
  void malformedManifestNamesLineAndColumn() throws Exception {
    TestSnapshots.writeManifestText(dir, "{\n  \"format_version\": 1,\n}");
    String message = refusal();
    assertTrue(
        message.startsWith("manifest.json: invalid JSON at line 3, column 1: ")
            && message.contains("property name"),
        message);
  }

  @Test
  void folderMustBeNamedAfterTheVersion() throws Exception {
    Path moved = Files.move(dir, root.resolve("v2"));
    String message =
        assertThrows(SnapshotException.class, () -> SnapshotReader.read(moved)).getMessage();
    assertEquals("manifest.json: version \"v1\" but the folder is named \"v2\"", message);
  }

  @Test
  void writerRefusesTitlesWithNewlinesAndLeavesNothing() throws Exception {
    Snapshot good = TestSnapshots.small("v2");
    Catalog c = good.catalog();
    c.titles[3] = "two\nlines"; // the builder's arrays are shared; this catalog is a throwaway
    Snapshot bad =
        new Snapshot(
            "v2",
            good.categories(),
            c,
            good.users(),
            good.itemEmbeddings(),
            good.userVectors(),
            good.itemNeighbours(),
            good.models(),
            good.modelVersions(),
            good.provenance());
    String message =
        assertThrows(SnapshotException.class, () -> new SnapshotWriter().write(root, bad))
            .getMessage();
    assertEquals("titles.txt: title of item 100004 (row 3) contains a line feed", message);
    try (var list = Files.list(root)) {
      assertEquals(List.of(dir), list.toList());
    }
  }

  @Test
  void writerRefusesMisalignedParts() throws Exception {
    Snapshot good = TestSnapshots.small("v2");
    Snapshot bad =
        new Snapshot(
            "v2",
            good.categories(),
            good.catalog(),
            good.users(),
            io.rankingcluster.core.embed.Embeddings.empty(5),
            good.userVectors(),
            good.itemNeighbours(),
            good.models(),
            good.modelVersions(),
            good.provenance());
    String message =
        assertThrows(SnapshotException.class, () -> new SnapshotWriter().write(root, bad))
            .getMessage();
    assertEquals("item_embeddings.f32: 5 rows, but 6 catalog rows", message);
  }

  @Test
  void writerRefusesToOverwriteAVersion() throws Exception {
    String message =
        assertThrows(
                SnapshotException.class,
                () -> new SnapshotWriter().write(root, TestSnapshots.small("v1")))
            .getMessage();
    assertEquals("version folder " + dir + " already exists (versions are immutable)", message);
    SnapshotReader.read(dir);
  }

  @Test
  void writerRefusesUnsafeVersionNames() {
    for (String name : List.of("../x", ".tmp-x", "a/b", "CURRENT", "")) {
      assertThrows(
          SnapshotException.class,
          () -> new SnapshotWriter().write(root, TestSnapshots.small(name)),
          name);
    }
    assertFalse(Files.exists(root.resolve("../x")));
  }
}
