package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.user.UserProfiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small hand-built snapshot with every kind, edge values and non-ASCII text; helpers to damage
 * files.
 */
final class TestSnapshots {
  static final long BIG_ID = -1L; // u64 18446744073709551615: ids are unsigned on disk

  private TestSnapshots() {}

  static Snapshot small(String version) {
    CategoryTree tree =
        new CategoryTree(
            new String[] {"Home", "Beauty \u00e9"},
            new String[][] {{"Lamp", "Mug"}, {"Serum", "Lipstick"}});
    Catalog.Builder b = new Catalog.Builder(6, tree.leafCount());
    long[] ids = {100001, 100002, 100003, 100004, 100005, BIG_ID};
    ItemKind[] kinds = {
      ItemKind.PRODUCT,
      ItemKind.PRODUCT,
      ItemKind.VIDEO,
      ItemKind.VIDEO,
      ItemKind.LIVE_STREAM,
      ItemKind.LIVE_STREAM
    };
    String[] titles = {
      "Lamp \u65e5\u672c", "Mug\twith a tab", "Video of the lamp", "", "Live: serum", "Live \u00fc"
    };
    for (int i = 0; i < ids.length; i++) {
      b.ids[i] = ids[i];
      b.kinds[i] = kinds[i].code();
      b.sellers[i] = 900 + i % 3;
      b.categories[i] = i % 4;
      b.prices[i] = kinds[i] == ItemKind.LIVE_STREAM ? 0f : 9.99f + i;
      b.createdMs[i] = 1_767_225_600_000L - i * 3_600_000L;
      b.liveStartMinute[i] = (short) (kinds[i] == ItemKind.LIVE_STREAM ? 1380 + i : -1);
      b.liveDurationMinutes[i] = (short) (kinds[i] == ItemKind.LIVE_STREAM ? 120 : 0);
      b.countryMasks[i] = i == 5 ? 0x80 : 1 << i;
      b.linkedProductRow[i] = i == 2 ? 0 : -1;
      b.inStock[i] = i != 1;
      b.impressions[i] = 1000 * i;
      b.clicks[i] = 10 * i;
      b.purchases[i] = i;
      b.carts[i] = 2 * i;
      b.watchSeconds[i] = kinds[i] == ItemKind.PRODUCT ? 0f : 12.5f * i;
      b.titles[i] = titles[i];
    }
    Catalog catalog = b.build();
    UserProfiles users =
        new UserProfiles(
            new String[] {"1", "2", "\u00fcser three"},
            new int[] {0, 7, -1},
            new long[][] {{100003, 100001}, {}, {BIG_ID}});
    float[] emb = new float[6 * 4];
    for (int i = 0; i < emb.length; i++) {
      emb[i] = (i - 7) / 8f;
    }
    float[] uv = new float[3 * 2];
    for (int i = 0; i < uv.length; i++) {
      uv[i] = i * 0.5f - 1f;
    }
    ItemNeighbours nb =
        new ItemNeighbours(
            new int[] {0, 2, 2, 3, 3, 3, 4},
            new long[] {100003, 100002, 100001, 42},
            new float[] {0.9f, 0.5f, 0.75f, 0.125f});
    return new Snapshot(
        version,
        tree,
        catalog,
        users,
        new Embeddings(6, 4, emb),
        new Embeddings(3, 2, uv),
        nb,
        Map.of("prerank", new byte[] {1, 2, 3, (byte) 0xff}, "rank", new byte[0]),
        Map.of("prerank", "prerank-1", "rank", "rank-7"),
        Map.of("generator", "hand-built \"test\"", "seed", "42"));
  }

  static Clock clockAt(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  /**
   * Writes {@code version} into root with a fixed creation time (to order versions without
   * sleeping).
   */
  static Path write(Path root, String version, long createdEpochSecond) throws IOException {
    return new SnapshotWriter(clockAt(createdEpochSecond), path -> {}).write(root, small(version));
  }

  static void flipByte(Path file, int offset) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[offset] ^= 0x01;
    Files.write(file, b);
  }

  static String manifestText(Path dir) throws IOException {
    return Files.readString(dir.resolve(Manifest.FILE_NAME), StandardCharsets.UTF_8);
  }

  static void writeManifestText(Path dir, String text) throws IOException {
    Files.writeString(dir.resolve(Manifest.FILE_NAME), text, StandardCharsets.UTF_8);
  }

  /**
   * Replaces a file and updates its manifest entry (size and checksum), as a buggy writer would:
   * the checksums pass, so only the consistency checks can catch what is wrong inside.
   */
  static void replaceConsistently(Path dir, String path, byte[] bytes) throws IOException {
    Files.write(dir.resolve(path), bytes);
    Manifest m = SnapshotReader.readManifest(dir);
    List<Manifest.FileEntry> files = new ArrayList<>();
    for (Manifest.FileEntry f : m.files()) {
      files.add(
          f.path().equals(path)
              ? new Manifest.FileEntry(path, bytes.length, Checksums.sha256(dir.resolve(path)))
              : f);
    }
    writeManifestText(
        dir,
        new Manifest(
                m.formatVersion(),
                m.version(),
                m.createdAt(),
                files,
                m.counts(),
                m.modelVersions(),
                m.provenance(),
                m.derived())
            .toJson());
  }
}
