package io.rankingcluster.mixer;

import io.rankingcluster.core.catalog.LongIndex;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.proto.v1.CandidateBlock;

/**
 * The wire form of a candidate table (ids, kinds, order scores, channel masks) and the way back.
 */
final class Blocks {
  private Blocks() {}

  /**
   * The block of {@code t}: the very message it was decoded from when its rows are unchanged since.
   */
  static CandidateBlock of(CandidateTable t) {
    if (t.wireForm() instanceof CandidateBlock b && b.getItemIdsCount() == t.size()) {
      return b;
    }
    CandidateBlock.Builder b = CandidateBlock.newBuilder();
    for (int i = 0; i < t.size(); i++) {
      b.addItemIds(t.ids[i])
          .addKindsValue(t.kinds[i])
          .addScores(t.scores[i])
          .addChannelMasks(t.masks[i]);
    }
    return b.build();
  }

  /**
   * Position of each id a stage answered with; a stage that answers an id twice is broken, which
   * degrades the page (a runtime failure of that stage), not a bug of ours.
   */
  static LongIndex index(int n, java.util.function.IntToLongFunction id) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = id.applyAsLong(i);
    }
    try {
      return new LongIndex(a);
    } catch (IllegalArgumentException e) {
      throw new io.rankingcluster.core.pipeline.StageException(
          "failed", "the stage answered " + e.getMessage());
    }
  }
}
