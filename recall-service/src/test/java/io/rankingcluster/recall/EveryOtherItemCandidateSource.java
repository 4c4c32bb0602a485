package io.rankingcluster.recall;

import io.rankingcluster.core.recall.CandidateSink;
import io.rankingcluster.core.recall.CandidateSource;
import io.rankingcluster.core.recall.RecallQuery;

/** A channel defined in the test tree: every {@code step}-th catalog row, scores falling from 1. */
final class EveryOtherItemCandidateSource implements CandidateSource {
  private final int rows;
  private final int step;

  EveryOtherItemCandidateSource(int rows, int step) {
    this.rows = rows;
    this.step = step;
  }

  @Override
  public void fetch(RecallQuery query, CandidateSink sink) {
    for (int r = 0, k = 0; r < rows && !sink.full(); r += step, k++) {
      sink.offer(r, 1f / (1 + k));
    }
  }
}
