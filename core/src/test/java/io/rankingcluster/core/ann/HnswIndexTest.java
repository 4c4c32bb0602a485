package io.rankingcluster.core.ann;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.embed.Embeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HnswIndexTest {
  static final int N = 5000;
  static final int DIM = 32;
  static final HnswIndex.Params PARAMS = new HnswIndex.Params(16, 100);
  static Embeddings items;
  static float[][] queries;
  static HnswIndex index;

  @BeforeAll
  static void build() {
    items = gaussian(N, DIM, 1);
    queries = rowsOf(gaussian(200, DIM, 2));
    index = HnswIndex.build(items, PARAMS, 1);
  }

  static Embeddings gaussian(int rows, int dim, long seed) {
    Random r = new Random(seed);
    float[] data = new float[rows * dim];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    return new Embeddings(rows, dim, data);
  }

  static float[][] rowsOf(Embeddings e) {
    float[][] out = new float[e.rows()][e.dimension()];
    for (int i = 0; i < e.rows(); i++) {
      e.copyRow(i, out[i], 0);
    }
    return out;
  }

  static int[] exact(float[] q, int k, RowFilter filter) {
    int[] rows = new int[k];
    int n = ExactScan.search(items, q, k, filter, rows, new float[k]);
    return java.util.Arrays.copyOf(rows, n);
  }

  static int[] exactOver(Embeddings e, float[] q, int k) {
    int[] rows = new int[k];
    int n = ExactScan.search(e, q, k, RowFilter.ALL, rows, new float[k]);
    return java.util.Arrays.copyOf(rows, n);
  }

  static double recall(HnswIndex idx, int k, int ef) {
    int found = 0;
    for (float[] q : queries) {
      int[] truth = exact(q, k, RowFilter.ALL);
      int[] got = idx.search(q, k, ef).rows();
      found += overlap(truth, got);
    }
    return found / (double) (queries.length * k);
  }

  static int overlap(int[] a, int[] b) {
    java.util.Set<Integer> s = new java.util.HashSet<>();
    for (int x : a) {
      s.add(x);
    }
    int n = 0;
    for (int x : b) {
      n += s.contains(x) ? 1 : 0;
    }
    return n;
  }

  @Test
  void search_randomVectors_recallAt10AgainstExactAtLeast0point9() {
    double r = recall(index, 10, 64);
    assertTrue(r >= 0.9, "recall@10 " + r);
  }

  @Test
  void search_twoBuildThreads_recallAt10AtLeast0point9() {
    double r = recall(HnswIndex.build(items, PARAMS, 2), 10, 64);
    assertTrue(r >= 0.9, "recall@10 " + r);
  }

  @Test
  void search_scoresAreDotProductsBestFirst() {
    HnswIndex.Hits hits = index.search(queries[0], 20, 64);
    assertEquals(20, hits.rows().length);
    for (int i = 0; i < hits.rows().length; i++) {
      assertEquals(items.dot(hits.rows()[i], queries[0]), hits.scores()[i], 1e-4f);
      if (i > 0) {
        assertTrue(hits.scores()[i] <= hits.scores()[i - 1]);
      }
    }
  }

  @Test
  void search_filter_returnsOnlyAcceptedRowsAndStillFillsK() {
    RowFilter even = row -> row % 2 == 0;
    int k = 10;
    int found = 0;
    for (float[] q : queries) {
      int[] rows = new int[k];
      int n = index.search(q, k, 64, even, rows, new float[k]);
      assertEquals(k, n);
      for (int i = 0; i < n; i++) {
        assertEquals(0, rows[i] % 2, "row " + rows[i] + " refused by the filter");
      }
      found += overlap(exact(q, k, even), rows);
    }
    assertTrue(
        found / (double) (queries.length * k) >= 0.9,
        "filtered recall@10 " + found / (queries.length * 10.0));
  }

  @Test
  void search_filterRefusingAlmostEverything_findsExactlyTheAdmittedRows() {
    RowFilter five = row -> row % 1000 == 7;
    int[] rows = new int[10];
    float[] scores = new float[10];
    int n = index.search(queries[3], 10, 32, five, rows, scores);
    assertArrayEquals(exact(queries[3], 10, five), java.util.Arrays.copyOf(rows, n));
    assertEquals(5, n);
  }

  @Test
  void search_efNearTheSizeOfTheIndex_answersExactly() {
    int k = N / 10;
    assertArrayEquals(exact(queries[5], k, RowFilter.ALL), index.search(queries[5], k, 10).rows());
  }

  @Test
  void search_manyThreads_sameAnswersAsOneThread() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> futures = new ArrayList<>();
      for (float[] q : queries) {
        futures.add(pool.submit(() -> index.search(q, 10, 64).rows()));
      }
      for (int i = 0; i < queries.length; i++) {
        assertArrayEquals(index.search(queries[i], 10, 64).rows(), futures.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void search_wrongDimension_throwsNamingBoth() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[3], 10, 10));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("32"), e.getMessage());
  }

  @Test
  void build_emptyEmbeddings_searchesReturnNothing() {
    HnswIndex empty = HnswIndex.build(new Embeddings(0, DIM, new float[0]), PARAMS, 1);
    assertEquals(0, empty.search(queries[0], 10, 10).rows().length);
  }

  @Test
  void build_sameInputsOneThread_isRepeatable() {
    HnswIndex again = HnswIndex.build(items, PARAMS, 1);
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(
          index.search(queries[i], 10, 40).rows(), again.search(queries[i], 10, 40).rows());
    }
  }

  @Test
  void params_outOfRange_refusedNamingTheParameter() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Params(1, 100))
            .getMessage()
            .contains("m "));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Params(16, 0))
            .getMessage()
            .contains("efConstruction"));
  }

  @Test
  void saveLoad_roundTrip_returnsIdenticalResults(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("a.hnsw");
    index.save(file);
    HnswIndex loaded = HnswIndex.load(file, items, PARAMS);
    assertEquals(index.edges(), loaded.edges());
    assertEquals(index.tierCount(), loaded.tierCount());
    assertEquals(index.indexBytes(), loaded.indexBytes());
    for (float[] q : queries) {
      HnswIndex.Hits a = index.search(q, 10, 48);
      HnswIndex.Hits b = loaded.search(q, 10, 48);
      assertArrayEquals(a.rows(), b.rows());
      assertArrayEquals(a.scores(), b.scores());
    }
  }

  @Test
  void saveLoad_emptyIndex_roundTrips(@TempDir Path dir) throws IOException {
    Embeddings none = new Embeddings(0, DIM, new float[0]);
    Path file = dir.resolve("empty.hnsw");
    HnswIndex.build(none, PARAMS, 1).save(file);
    assertEquals(0, HnswIndex.load(file, none, PARAMS).rows());
  }

  @Test
  void load_truncatedFile_refusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.hnsw");
    index.save(file);
    byte[] all = Files.readAllBytes(file);
    for (int keep : new int[] {0, 20, all.length / 2, all.length - 1}) {
      Files.write(file, java.util.Arrays.copyOf(all, keep));
      IOException e =
          assertThrows(
              IOException.class, () -> HnswIndex.load(file, items, PARAMS), "kept " + keep);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
  }

  @Test
  void load_flippedByte_refused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("c.hnsw");
    index.save(file);
    byte[] all = Files.readAllBytes(file);
    all[all.length / 3] ^= 0x40;
    Files.write(file, all);
    IOException e = assertThrows(IOException.class, () -> HnswIndex.load(file, items, PARAMS));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void load_otherParamsOrOtherVectors_refused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("p.hnsw");
    index.save(file);
    assertThrows(
        IOException.class, () -> HnswIndex.load(file, items, new HnswIndex.Params(8, 100)));
    assertThrows(IOException.class, () -> HnswIndex.load(file, gaussian(N, DIM, 99), PARAMS));
  }
}
