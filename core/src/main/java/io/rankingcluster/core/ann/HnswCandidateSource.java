package io.rankingcluster.core.ann;

import io.rankingcluster.core.recall.CandidateSink;
import io.rankingcluster.core.recall.CandidateSource;
import io.rankingcluster.core.recall.RecallQuery;

/**
 * Embedding recall through an HNSW index: the items whose embeddings have (nearly) the largest dot
 * product with the user vector, as {@link
 * io.rankingcluster.core.recall.ExactEmbeddingCandidateSource} finds them exactly. Scores are
 * squashed to (0, 1) by the same logistic, so the two are interchangeable.
 *
 * <p>The query's filter runs inside the graph search, so refused items never take a result slot and
 * the channel fills its quota whenever enough admissible items exist; no over-fetch and re-cut is
 * needed.
 */
public final class HnswCandidateSource implements CandidateSource {
  private final HnswIndex index;
  private final int efSearch;

  /**
   * @param index built over item embeddings aligned with the catalog's rows
   */
  public HnswCandidateSource(HnswIndex index, int efSearch) {
    if (efSearch < 1) {
      throw new IllegalArgumentException("efSearch must be >= 1, was " + efSearch);
    }
    this.index = index;
    this.efSearch = efSearch;
  }

  public int efSearch() {
    return efSearch;
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    float[] user = query.userVector;
    if (user == null || user.length == 0 || index.dimension() == 0 || sink.limit() <= 0) {
      return;
    }
    if (user.length != index.dimension()) {
      throw new IllegalArgumentException(
          "user vector has " + user.length + " dimensions, embeddings " + index.dimension());
    }
    int k = sink.limit();
    int[] rows = new int[k];
    float[] scores = new float[k];
    int n = index.search(user, k, efSearch, query::admits, rows, scores);
    for (int i = 0; i < n; i++) {
      if (!sink.offer(rows[i], (float) (1 / (1 + Math.exp(-scores[i]))))) {
        break;
      }
    }
  }
}
