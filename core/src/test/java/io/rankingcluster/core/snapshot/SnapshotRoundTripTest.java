package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.user.UserProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRoundTripTest {
  @TempDir Path root;

  @Test
  void everyColumnSurvivesWriteAndRead() throws Exception {
    Snapshot in = TestSnapshots.small("v1");
    Path dir = new SnapshotWriter().write(root, in);
    assertEquals(root.resolve("v1"), dir);

    Snapshot out = SnapshotReader.read(dir);

    assertEquals("v1", out.version());
    Catalog a = in.catalog();
    Catalog b = out.catalog();
    assertArrayEquals(a.ids, b.ids);
    assertArrayEquals(a.kinds, b.kinds);
    assertArrayEquals(a.sellers, b.sellers);
    assertArrayEquals(a.categories, b.categories);
    assertArrayEquals(a.prices, b.prices);
    assertArrayEquals(a.createdMs, b.createdMs);
    assertArrayEquals(a.liveStartMinute, b.liveStartMinute);
    assertArrayEquals(a.liveDurationMinutes, b.liveDurationMinutes);
    assertArrayEquals(a.countryMasks, b.countryMasks);
    assertArrayEquals(a.linkedProductRow, b.linkedProductRow);
    assertArrayEquals(a.inStock, b.inStock);
    assertArrayEquals(a.impressions, b.impressions);
    assertArrayEquals(a.clicks, b.clicks);
    assertArrayEquals(a.purchases, b.purchases);
    assertArrayEquals(a.carts, b.carts);
    assertArrayEquals(a.watchSeconds, b.watchSeconds);
    assertArrayEquals(a.titles, b.titles);
    assertEquals(a.categoryCount, b.categoryCount);
    assertEquals(5, b.index.rowOf(TestSnapshots.BIG_ID));

    CategoryTree ta = in.categories();
    CategoryTree tb = out.categories();
    assertEquals(ta.parentCount(), tb.parentCount());
    assertEquals(ta.leavesPerParent(), tb.leavesPerParent());
    for (int p = 0; p < ta.parentCount(); p++) {
      assertEquals(ta.parentName(p), tb.parentName(p));
    }
    for (int c = 0; c < ta.leafCount(); c++) {
      assertEquals(ta.leafName(c), tb.leafName(c));
    }

    UserProfiles ua = in.users();
    UserProfiles ub = out.users();
    assertEquals(ua.size(), ub.size());
    for (int i = 0; i < ua.size(); i++) {
      assertEquals(ua.userId(i), ub.userId(i));
      assertEquals(ua.country(i), ub.country(i));
      assertArrayEquals(ua.recentItems(i), ub.recentItems(i));
    }
    assertEquals(2, ub.rowOf("\u00fcser three"));

    assertEmbeddingsEqual(in.itemEmbeddings(), out.itemEmbeddings());
    assertEmbeddingsEqual(in.userVectors(), out.userVectors());
    ItemNeighbours na = in.itemNeighbours();
    ItemNeighbours nb = out.itemNeighbours();
    assertArrayEquals(na.offsets, nb.offsets);
    assertArrayEquals(na.neighbourIds, nb.neighbourIds);
    assertArrayEquals(na.weights, nb.weights);

    assertEquals(in.models().keySet(), out.models().keySet());
    for (String name : in.models().keySet()) {
      assertArrayEquals(in.models().get(name), out.models().get(name), name);
    }
    assertEquals(in.modelVersions(), out.modelVersions());
    assertEquals(in.provenance(), out.provenance());
  }

  @Test
  void manifestIsWrittenWithCountsAndChecksumsAndNoTemporaryFolderRemains() throws Exception {
    Path dir = TestSnapshots.write(root, "v1", 1_767_225_600L);
    Manifest m = SnapshotReader.readManifest(dir);
    assertEquals(1, m.formatVersion());
    assertEquals("2026-01-01T00:00:00Z", m.createdAt().toString());
    assertEquals(new Manifest.Counts(6, 3, 4, 2, 4), m.counts());
    assertEquals(
        List.of(
            "items.bin",
            "titles.txt",
            "categories.tsv",
            "users.bin",
            "user_ids.txt",
            "item_embeddings.f32",
            "user_vectors.f32",
            "i2i.bin",
            "models/prerank.bin",
            "models/rank.bin"),
        m.files().stream().map(Manifest.FileEntry::path).toList());
    for (Manifest.FileEntry f : m.files()) {
      assertEquals(Files.size(dir.resolve(f.path())), f.bytes(), f.path());
      assertEquals(Checksums.sha256(dir.resolve(f.path())), f.sha256(), f.path());
    }
    // Documented sizes: 32-byte header, columns padded to 8 (n = 6 items, 3 users with 3 recent, 4
    // edges).
    assertEquals(32 + 3 * 48 + 9 * 24 + 2 * 16 + 2 * 8, Files.size(dir.resolve("items.bin")));
    assertEquals(32 + 8 + 16 + 24, Files.size(dir.resolve("users.bin")));
    assertEquals(32 + 32 + 32 + 16, Files.size(dir.resolve("i2i.bin")));
    assertEquals(6 * 4 * 4, Files.size(dir.resolve("item_embeddings.f32")));
    assertEquals(Manifest.parse(m.toJson()), m);
    try (var list = Files.list(root)) {
      assertEquals(List.of(root.resolve("v1")), list.toList());
    }
  }

  @Test
  void emptyTablesRoundTrip() throws Exception {
    Snapshot s = TestSnapshots.small("v-empty");
    Catalog empty = new Catalog.Builder(0, s.categories().leafCount()).build();
    Snapshot in =
        new Snapshot(
            "v-empty",
            s.categories(),
            empty,
            new UserProfiles(new String[0], new int[0], new long[0][]),
            Embeddings.empty(0),
            Embeddings.empty(0),
            ItemNeighbours.empty(0),
            Map.of(),
            Map.of(),
            Map.of());
    Snapshot out = SnapshotReader.read(new SnapshotWriter().write(root, in));
    assertEquals(0, out.catalog().size());
    assertEquals(0, out.users().size());
    assertEquals(0, out.itemNeighbours().rows());
    assertTrue(out.models().isEmpty());
    assertFalse(Files.exists(root.resolve("v-empty/models")));
  }

  private static void assertEmbeddingsEqual(Embeddings a, Embeddings b) {
    assertEquals(a.rows(), b.rows());
    assertEquals(a.dimension(), b.dimension());
    assertArrayEquals(a.data(), b.data());
  }
}
