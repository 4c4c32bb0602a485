package io.rankingcluster.core.recall;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.embed.VectorMath;

/**
 * Embedding recall by exact scan: the items whose embeddings have the largest dot product with the
 * user vector. The reference for the ANN index (which must match it in recall at a fraction of its
 * cost) and the channel used where no index is built. Scores are squashed to (0, 1) by a logistic.
 */
public final class ExactEmbeddingCandidateSource implements CandidateSource {
  private final Embeddings items;

  /**
   * @param items item embeddings aligned with the catalog's rows
   */
  public ExactEmbeddingCandidateSource(Embeddings items) {
    this.items = items;
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    float[] user = query.userVector;
    if (user == null || user.length == 0 || items.dimension() == 0) {
      return;
    }
    if (user.length != items.dimension()) {
      throw new IllegalArgumentException(
          "user vector has " + user.length + " dimensions, embeddings " + items.dimension());
    }
    // Keep more than the quota: the sink's filter may refuse some of the best.
    int keep = Math.min(items.rows(), sink.limit() * 2 + 16);
    TopK top = new TopK(keep);
    float[] data = items.data();
    int d = items.dimension();
    float[] block = new float[256];
    for (int first = 0, n = items.rows(); first < n; first += block.length) {
      int count = Math.min(block.length, n - first);
      VectorMath.dots(data, first * d, count, d, user, block);
      for (int i = 0; i < count; i++) {
        top.offer(first + i, block[i]);
      }
    }
    int[] rows = top.rowsBestFirst();
    float[] scores = top.scoresBestFirst();
    for (int i = 0; i < rows.length; i++) {
      if (!sink.offer(rows[i], (float) (1 / (1 + Math.exp(-scores[i]))))) {
        break;
      }
    }
  }
}
