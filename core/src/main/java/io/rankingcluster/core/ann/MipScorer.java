package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.VectorMath;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's MAXIMUM_INNER_PRODUCT similarity between one query and the rows of a row-major float array,
 * read in place: the index shares the shard's embedding array instead of copying it into one array per
 * row (which Lucene's own on-heap vector values would need), so the vectors are held once.
 */
final class MipScorer implements RandomVectorScorer {
  private final float[] data;
  private final int dimension;
  private final int rows;
  private final float[] query;
  private final int queryOffset;

  MipScorer(float[] data, int dimension, int rows, float[] query, int queryOffset) {
    this.data = data;
    this.dimension = dimension;
    this.rows = rows;
    this.query = query;
    this.queryOffset = queryOffset;
  }

  @Override
  public float score(int node) {
    // Lucene's scaling maps any dot product to a positive, order-preserving score; the graph code expects
    // similarities of that shape. HnswIndex maps it back with toDot.
    return VectorUtil.scaleMaxInnerProductScore(VectorMath.dot(data, node * dimension, query, queryOffset, dimension));
  }

  @Override
  public int maxOrd() {
    return rows;
  }

  /** Inverse of {@link VectorUtil#scaleMaxInnerProductScore(float)}. */
  static float toDot(float score) {
    return score >= 1 ? score - 1 : 1 - 1 / score;
  }

  /** Scorers whose query is another row (for building the graph). Stateless, so copy() is itself. */
  static final class Supplier implements RandomVectorScorerSupplier {
    private final float[] data;
    private final int dimension;
    private final int rows;

    Supplier(float[] data, int dimension, int rows) {
      this.data = data;
      this.dimension = dimension;
      this.rows = rows;
    }

    @Override
    public RandomVectorScorer scorer(int ord) {
      return new MipScorer(data, dimension, rows, data, ord * dimension);
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this;
    }
  }
}
