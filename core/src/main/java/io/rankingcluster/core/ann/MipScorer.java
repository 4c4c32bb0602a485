package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.VectorMath;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * How the HNSW graphs are built: Lucene's graph builder scores node pairs through {@link Supplier},
 * reading vectors in place from a row-major float array (the shard's embeddings; {@code
 * rowOf[node]} is the node's row), so that they are not copied into one array per row as Lucene's
 * own on-heap vector values would need. Searches do not go through Lucene's scorer API: {@link
 * HnswIndex} scores neighbours in batches.
 */
final class MipScorer {
  private MipScorer() {}

  /**
   * Scorers between two nodes, for building a graph: by cosine, not by inner product. With inner
   * products, Lucene's neighbour pruning (keep a candidate only if it is closer to the node than to
   * every neighbour kept so far) prefers the longer of two vectors, and leaves most nodes with two
   * or three edges and a tenth of them unreachable; by cosine the graph links each node to its
   * directions. Within a norm tier lengths differ by at most the tier ratio, so a graph of
   * directions is also one for inner products, which the searches score. Stateless, so copy() is
   * itself.
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
          return (1
                  + VectorMath.dot(data, rowOf[node] * dimension, data, o, dimension)
                      * inv
                      * inverseNorm[node])
              / 2;
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
