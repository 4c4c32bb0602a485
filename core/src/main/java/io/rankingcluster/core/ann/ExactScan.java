package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.embed.VectorMath;
import io.rankingcluster.core.recall.TopK;

/**
 * Maximum-inner-product search by scanning every row: the reference an ANN index is measured
 * against, and the fallback where a graph search would cost more than the scan. Stateless and
 * thread-safe.
 */
public final class ExactScan {
  /** Rows scored per kernel call: the scores stay in L1 between the kernel and the heap. */
  private static final int BLOCK = 256;

  private ExactScan() {}

  /**
   * Writes the (at most) k rows with the largest dot product with {@code query} that {@code filter}
   * accepts into {@code rowsOut}/{@code scoresOut}, best first; returns how many.
   */
  public static int search(
      Embeddings items, float[] query, int k, RowFilter filter, int[] rowsOut, float[] scoresOut) {
    int d = items.dimension();
    if (query.length != d) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, the items " + d);
    }
    if (k <= 0 || items.rows() == 0) {
      return 0;
    }
    float[] data = items.data();
    TopK top = new TopK(Math.min(k, items.rows()));
    boolean all = filter == null || filter == RowFilter.ALL;
    float[] block = new float[BLOCK];
    for (int first = 0, n = items.rows(); first < n; first += BLOCK) {
      int count = Math.min(BLOCK, n - first);
      VectorMath.dots(data, first * d, count, d, query, block);
      for (int i = 0; i < count; i++) {
        if (all || filter.accepts(first + i)) {
          top.offer(first + i, block[i]);
        }
      }
    }
    int[] rows = top.rowsBestFirst();
    float[] scores = top.scoresBestFirst();
    System.arraycopy(rows, 0, rowsOut, 0, rows.length);
    System.arraycopy(scores, 0, scoresOut, 0, rows.length);
    return rows.length;
  }
}
