package io.rankingcluster.core.recall;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.LongIndex;

/**
 * Item-to-item: the neighbours of the user's recent items, recency-weighted (the k-th most recent
 * item weighs {@code 0.85^k}); a neighbour found from several recent items sums its weights. Scores
 * are scaled to [0, 1] by the best candidate. Only neighbours in this shard's catalog are returned;
 * neighbours are looked up for recent items this shard knows (each shard holds the neighbour lists
 * of its own items).
 */
public final class ItemToItemCandidateSource implements CandidateSource {
  /** Recent items consulted per request: older ones add little and cost a lookup each. */
  static final int MAX_SEEDS = 20;

  private final Catalog catalog;
  private final ItemNeighbours neighbours;
  private final LongIndex sourceIndex;
  private final ThreadLocal<float[]> scratch;

  /**
   * @param neighbours neighbour lists of the items in {@code sourceIds} order
   * @param sourceIds the item id of each neighbour row (often the whole catalog's ids, so that a
   *     shard can expand recent items it does not own)
   */
  public ItemToItemCandidateSource(Catalog catalog, ItemNeighbours neighbours, long[] sourceIds) {
    if (neighbours.rows() != sourceIds.length) {
      throw new IllegalArgumentException(
          "item neighbours have " + neighbours.rows() + " rows for " + sourceIds.length + " ids");
    }
    this.catalog = catalog;
    this.neighbours = neighbours;
    this.sourceIndex = new LongIndex(sourceIds);
    this.scratch = ThreadLocal.withInitial(() -> new float[catalog.size()]);
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    float[] score = scratch.get();
    int[] touched = new int[256];
    int nTouched = 0;
    float weight = 1f;
    int seeds = 0;
    for (long recent : query.recentItemIds) {
      if (seeds++ >= MAX_SEEDS) {
        break;
      }
      int src = sourceIndex.rowOf(recent);
      if (src >= 0) {
        for (int e = neighbours.offsets[src]; e < neighbours.offsets[src + 1]; e++) {
          int row = catalog.index.rowOf(neighbours.neighbourIds[e]);
          if (row < 0 || !(neighbours.weights[e] > 0)) {
            continue;
          }
          if (score[row] == 0f) {
            if (nTouched == touched.length) {
              touched = java.util.Arrays.copyOf(touched, nTouched * 2);
            }
            touched[nTouched++] = row;
          }
          score[row] += weight * neighbours.weights[e];
        }
      }
      weight *= 0.85f;
    }
    float[] scores = new float[nTouched];
    float best = 0;
    for (int i = 0; i < nTouched; i++) {
      scores[i] = score[touched[i]];
      best = Math.max(best, scores[i]);
      score[touched[i]] = 0f; // leave the scratch clean for the next request on this thread
    }
    int[] order = io.rankingcluster.core.Order.byScoreDescending(scores, nTouched);
    for (int i : order) {
      if (!sink.offer(touched[i], best > 0 ? scores[i] / best : 0f)) {
        break;
      }
    }
  }
}
