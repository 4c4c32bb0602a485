package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.VectorMath;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's MAXIMUM_INNER_PRODUCT similarity between one query and a graph's nodes, read in place from a
 * row-major float array: the shard's embeddings ({@code rowOf[node]} is the node's row), so that the
 * vectors are not copied into one array per row as Lucene's own on-heap vector values would need, or a
 * tier's contiguous copy ({@code rowOf} null: node i is row i of the copy).
 */
final class MipScorer implements RandomVectorScorer {
  private final float[] data;
  private final int dimension;
  private final int[] rowOf;
  private final float[] query;
  private final int queryOffset;

  MipScorer(float[] data, int dimension, int[] rowOf, float[] query, int queryOffset) {
    this.data = data;
    this.dimension = dimension;
    this.rowOf = rowOf;
    this.query = query;
    this.queryOffset = queryOffset;
  }

  @Override
  public float score(int node) {
    // Lucene's scaling maps any dot product to a positive, order-preserving score, the shape its graph
    // code expects of a similarity; toDot maps it back.
    return VectorUtil.scaleMaxInnerProductScore(
        VectorMath.dot(data, (rowOf == null ? node : rowOf[node]) * dimension, query, queryOffset, dimension));
  }

  @Override
  public int maxOrd() {
    return rowOf == null ? data.length / dimension : rowOf.length;
  }

  /** Inverse of {@link VectorUtil#scaleMaxInnerProductScore(float)}. */
  static float toDot(float score) {
    return score >= 1 ? score - 1 : 1 - 1 / score;
  }

  /**
   * Scorers between two nodes, for building a graph: by cosine, not by inner product. With inner
   * products, Lucene's neighbour pruning (keep a candidate only if it is closer to the node than to every
   * neighbour kept so far) prefers the longer of two vectors, and leaves most nodes with two or three
   * edges and a tenth of them unreachable; by cosine the graph links each node to its directions. Within
   * a norm tier lengths differ by at most the tier ratio, so a graph of directions is also one for inner
   * products, which the searches score. Stateless, so copy() is itself.
   */
  static final class Supplier implements RandomVectorScorerSupplier {
    private final float[] data;
    private final int dimension;
    private final int[] rowOf;
    private final float[] inverseNorm;

    Supplier(float[] data, int dimension, int[] rowOf) {
      this.data = data;
      this.dimension = dimension;
      this.rowOf = rowOf;
      this.inverseNorm = new float[rowOf.length];
      for (int i = 0; i < rowOf.length; i++) {
        int o = rowOf[i] * dimension;
        inverseNorm[i] = (float) (1 / Math.sqrt(VectorMath.dot(data, o, data, o, dimension)));
      }
    }

    @Override
    public RandomVectorScorer scorer(int ord) {
      int o = rowOf[ord] * dimension;
      float inv = inverseNorm[ord];
      return new RandomVectorScorer() {
        @Override
        public float score(int node) {
          // Lucene's COSINE scaling: (1 + cos) / 2, in [0, 1].
          return (1 + VectorMath.dot(data, rowOf[node] * dimension, data, o, dimension) * inv * inverseNorm[node]) / 2;
        }

        @Override
        public int maxOrd() {
          return rowOf.length;
        }
      };
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this;
    }
  }
}
