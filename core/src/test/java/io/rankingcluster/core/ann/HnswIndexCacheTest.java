package io.rankingcluster.core.ann;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.embed.Embeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache file is a cache: a damaged one costs a rebuild, never the start. */
class HnswIndexCacheTest {
  static final Embeddings ITEMS = HnswIndexTest.gaussian(2000, 16, 5);
  static final HnswIndex.Params PARAMS = new HnswIndex.Params(8, 50);
  static final float[] QUERY = HnswIndexTest.rowsOf(HnswIndexTest.gaussian(1, 16, 6))[0];

  @Test
  void loadOrBuild_noFile_buildsAndWritesThenLoadsIt(@TempDir Path dir) {
    Path file = dir.resolve("derived/shard.hnsw");
    HnswIndexCache.Result first = HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1);
    assertEquals(HnswIndexCache.Source.BUILT, first.source(), first.note());
    assertTrue(Files.isRegularFile(file));
    HnswIndexCache.Result second = HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1);
    assertEquals(HnswIndexCache.Source.LOADED, second.source(), second.note());
    assertArrayEquals(
        first.index().search(QUERY, 10, 30).rows(), second.index().search(QUERY, 10, 30).rows());
  }

  @Test
  void loadOrBuild_truncatedFile_rebuildsAndRewritesIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("shard.hnsw");
    HnswIndex original = HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1).index();
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length - 100));
    HnswIndexCache.Result r = HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1);
    assertEquals(HnswIndexCache.Source.REBUILT, r.source());
    assertTrue(r.note().contains("unusable"), r.note());
    assertArrayEquals(
        original.search(QUERY, 10, 30).rows(), r.index().search(QUERY, 10, 30).rows());
    assertEquals(
        HnswIndexCache.Source.LOADED, HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1).source());
  }

  @Test
  void loadOrBuild_garbageFile_rebuilds(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("shard.hnsw");
    Files.write(file, new byte[4096]);
    assertEquals(
        HnswIndexCache.Source.REBUILT, HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1).source());
  }

  @Test
  void loadOrBuild_fileForOtherParameters_rebuilds(@TempDir Path dir) {
    Path file = dir.resolve("shard.hnsw");
    HnswIndexCache.loadOrBuild(file, ITEMS, new HnswIndex.Params(8, 20), 1);
    HnswIndexCache.Result r = HnswIndexCache.loadOrBuild(file, ITEMS, PARAMS, 1);
    assertEquals(HnswIndexCache.Source.REBUILT, r.source());
    assertEquals(PARAMS, r.index().params());
  }

  @Test
  void loadOrBuild_folderNotWritable_servesTheBuiltIndexAndSaysWhy(@TempDir Path dir)
      throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
    HnswIndexCache.Result r =
        HnswIndexCache.loadOrBuild(notAFolder.resolve("shard.hnsw"), ITEMS, PARAMS, 1);
    assertEquals(HnswIndexCache.Source.BUILT, r.source());
    assertTrue(r.note().contains("not cached"), r.note());
    assertEquals(10, r.index().search(QUERY, 10, 30).rows().length);
  }
}
