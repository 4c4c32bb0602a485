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
   * Row of each id in {@code t} (ids in a table are distinct: shards own disjoint items, stages
   * refuse duplicates).
   */
  static LongIndex rows(CandidateTable t) {
    return new LongIndex(java.util.Arrays.copyOf(t.ids, t.size()));
  }
}
