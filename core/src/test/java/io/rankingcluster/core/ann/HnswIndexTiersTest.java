package io.rankingcluster.core.ann;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.embed.Embeddings;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Vectors shaped like matrix-factorisation item embeddings: a third all zeros, norms spread over
 * four orders of magnitude. The tiered index must stay accurate on them, and exact where the bound
 * is tight.
 */
class HnswIndexTiersTest {
  static final int N = 8000;
  static final int DIM = 16;

  /** Random directions with log-normal norms (sigma 1.5), every third row zero. */
  static Embeddings skewed(long seed) {
    return skewed(seed, N, 1.5);
  }

  /**
   * {@code rows} random directions with log-normal norms of the given sigma, every third row zero.
   */
  static Embeddings skewed(long seed, int rows, double sigma) {
    Random r = new Random(seed);
    float[] data = new float[rows * DIM];
    for (int row = 0; row < rows; row++) {
      if (row % 3 == 0) {
        continue;
      }
      double norm = Math.exp(sigma * r.nextGaussian() - 2);
      double[] v = new double[DIM];
      double s = 0;
      for (int k = 0; k < DIM; k++) {
        v[k] = r.nextGaussian();
        s += v[k] * v[k];
      }
      for (int k = 0; k < DIM; k++) {
        data[row * DIM + k] = (float) (v[k] / Math.sqrt(s) * norm);
      }
    }
    return new Embeddings(rows, DIM, data);
  }

  @Test
  void build_skewedNorms_manyTiersAndZeroRowsKeptOutOfTheGraphs() {
    HnswIndex index = HnswIndex.build(skewed(1), HnswIndex.Params.DEFAULT, 1);
    assertEquals(N - (N + 2) / 3, index.nodes());
    assertTrue(index.tierCount() >= 5, index.describeTiers());
  }

  @Test
  void search_skewedNorms_recallAt10AgainstExactAtLeast0point95() {
    Embeddings items = skewed(1);
    HnswIndex index = HnswIndex.build(items, HnswIndex.Params.DEFAULT, 1);
    float[][] queries = HnswIndexTest.rowsOf(HnswIndexTest.gaussian(200, DIM, 3));
    int found = 0;
    for (float[] q : queries) {
      found +=
          HnswIndexTest.overlap(
              HnswIndexTest.exactOver(items, q, 10), index.search(q, 10, 20).rows());
    }
    double recall = found / (queries.length * 10.0);
    assertTrue(recall >= 0.95, "recall@10 " + recall + "; tiers " + index.describeTiers());
  }

  /**
   * Tiers after the first are searched above the floor of the k best found so far, walked with a
   * beam: a large k and a filter (which makes every tier's search work harder) must still find what
   * an exact scan of the admitted rows finds.
   */
  @Test
  void search_skewedNormsLargeKWithFilter_recallAt50AgainstExactFilteredAtLeast0point95() {
    // Norms within a factor of about ten: a few tiers of thousands of rows, so that several get
    // graphs.
    Embeddings items = skewed(2, 24_000, 0.4);
    HnswIndex index = HnswIndex.build(items, HnswIndex.Params.DEFAULT, 2);
    float[][] queries = HnswIndexTest.rowsOf(HnswIndexTest.gaussian(100, DIM, 5));
    RowFilter everyFifthRefused = row -> row % 5 != 0;
    int k = 50;
    int found = 0;
    HnswIndex.Trace trace = new HnswIndex.Trace();
    for (float[] q : queries) {
      int[] exactRows = new int[k];
      int n = ExactScan.search(items, q, k, everyFifthRefused, exactRows, new float[k]);
      int[] rows = new int[k];
      int m = index.search(q, k, k, everyFifthRefused, rows, new float[k], trace);
      assertEquals(n, m);
      for (int i = 0; i < m; i++) {
        assertTrue(rows[i] % 5 != 0, "row " + rows[i] + " refused by the filter");
      }
      found += HnswIndexTest.overlap(java.util.Arrays.copyOf(exactRows, n), rows);
    }
    double recall = found / (queries.length * (double) k);
    assertTrue(trace.graphTiers > 0, "the graphs were searched: " + index.describeTiers());
    assertTrue(recall >= 0.95, "filtered recall@50 " + recall + "; tiers " + index.describeTiers());
  }

  @Test
  void search_oneTierForAll_isStillCorrectButWorse() {
    Embeddings items = skewed(1);
    HnswIndex index = HnswIndex.build(items, new HnswIndex.Params(16, 100, 0), 1);
    assertEquals(2, index.tierCount(), index.describeTiers());
    assertEquals(
        10,
        index
            .search(HnswIndexTest.rowsOf(HnswIndexTest.gaussian(1, DIM, 3))[0], 10, 20)
            .rows()
            .length);
  }

  @Test
  void search_everyScoreNegative_zeroVectorsComeFirstThenTheShortestOpposite() {
    // Rows along +x with norms 1..n, and zero rows; the query points along -x: every non-zero row
    // scores
    // below 0, so the zero rows (score 0) are best, then the shortest vectors.
    int n = 3000;
    float[] data = new float[n * 2];
    for (int row = 0; row < n; row++) {
      data[row * 2] = row % 2 == 0 ? 0 : row;
    }
    Embeddings items = new Embeddings(n, 2, data);
    HnswIndex index = HnswIndex.build(items, HnswIndex.Params.DEFAULT, 1);
    float[] query = {-1, 0};
    int k = n / 2 + 3;
    int[] rows = new int[k];
    float[] scores = new float[k];
    assertEquals(k, index.search(query, k, 10, RowFilter.ALL, rows, scores));
    for (int i = 0; i < n / 2; i++) {
      assertEquals(0, rows[i] % 2, "zero rows first");
      assertEquals(0f, scores[i]);
    }
    assertArrayEquals(new int[] {1, 3, 5}, java.util.Arrays.copyOfRange(rows, n / 2, k));
  }

  @Test
  void search_hugeEf_isExact() {
    // Norms within a factor of about ten: a few tiers of thousands of rows, so that several get
    // graphs.
    Embeddings items = skewed(2, 24_000, 0.4);
    HnswIndex index = HnswIndex.build(items, HnswIndex.Params.DEFAULT, 2);
    for (float[] q : HnswIndexTest.rowsOf(HnswIndexTest.gaussian(20, DIM, 4))) {
      assertArrayEquals(
          HnswIndexTest.exactOver(items, q, 50), index.search(q, 50, 1_000_000).rows());
    }
  }
}
