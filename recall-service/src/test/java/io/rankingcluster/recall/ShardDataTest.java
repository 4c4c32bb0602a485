package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ann.HnswCandidateSource;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ExactEmbeddingCandidateSource;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.world.DemoWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a shard gets its ANN channel: HNSW by default, cached per snapshot version and shard; exact
 * on request.
 */
class ShardDataTest {
  static final DemoWorld WORLD = DemoWorld.generate(new DemoWorld.Spec(3, 6000, 50, 5));
  static final Snapshot SNAPSHOT = snapshot();

  /** The demo world with random 16-dimensional item embeddings (no training needed here). */
  static Snapshot snapshot() {
    int n = WORLD.catalog.size();
    Random r = new Random(1);
    float[] data = new float[n * 16];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    return new Snapshot(
        "v1",
        WORLD.categories,
        WORLD.catalog,
        WORLD.users,
        new Embeddings(n, 16, data),
        Embeddings.empty(WORLD.users.size()),
        ItemNeighbours.empty(n),
        Map.of(),
        Map.of(),
        Map.of());
  }

  static AnnConfig options(String... args) {
    return AnnConfig.parse(args);
  }

  @Test
  void of_defaults_annChannelIsHnsw() {
    assertInstanceOf(
        HnswCandidateSource.class, ShardData.of(SNAPSHOT, 0, 1).engine.channels().get(0).source());
  }

  @Test
  void of_annExact_annChannelIsTheExactScan() {
    ShardData shard = ShardData.of(SNAPSHOT, null, 0, 1, options("--ann=exact"));
    assertInstanceOf(ExactEmbeddingCandidateSource.class, shard.engine.channels().get(0).source());
  }

  @Test
  void of_versionDir_cachesTheIndexInDerivedAndReusesItOnTheNextStart(@TempDir Path root)
      throws IOException {
    Path versionDir = Files.createDirectories(root.resolve("v1"));
    AnnConfig ann = options();
    ShardData.of(SNAPSHOT, versionDir, 1, 2, ann);
    Path file = versionDir.resolve("derived/hnsw-shard1of2-m16-efc100-tier2.idx");
    assertTrue(Files.isRegularFile(file), "index cached at " + file);
    FileTime written = FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() - 60_000);
    Files.setLastModifiedTime(file, written);
    ShardData.of(SNAPSHOT, versionDir, 1, 2, ann);
    assertEquals(written, Files.getLastModifiedTime(file), "loaded, not rebuilt");
  }

  @Test
  void of_indexCacheDir_oneFolderPerVersion(@TempDir Path root) {
    Path cache = root.resolve("cache");
    ShardData.of(
        SNAPSHOT, root.resolve("v1"), 0, 3, options("--ann-index-cache-dir=" + cache, "--ann-m=8"));
    assertTrue(Files.isRegularFile(cache.resolve("v1/hnsw-shard0of3-m8-efc100-tier2.idx")));
  }

  @Test
  void of_cacheFolderNotWritable_stillServes(@TempDir Path root) throws IOException {
    Path notAFolder =
        Files.writeString(root.resolve("v1"), "a file where the version folder should be");
    ShardData shard = ShardData.of(SNAPSHOT, notAFolder, 0, 1, options());
    assertInstanceOf(HnswCandidateSource.class, shard.engine.channels().get(0).source());
  }

  @Test
  void defaults_documentedValues() {
    AnnConfig ann = AnnConfig.defaults();
    assertEquals(AnnConfig.Kind.hnsw, ann.kind());
    assertEquals(ann.params(), io.rankingcluster.core.ann.HnswIndex.Params.DEFAULT);
  }
}
