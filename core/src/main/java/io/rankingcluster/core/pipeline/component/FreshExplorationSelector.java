package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.catalog.LongIndex;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Selector;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Adds up to {@code n} candidates of the fresh recall channel that the earlier cuts dropped, when
 * the request's blend has an exploration slot: new items have no history, so the light model scores
 * them low and the exploration slot would never see one. They keep their recall score; rank scores
 * them like the rest, and the blend puts the best-ranked fresh item in the exploration slot.
 */
public final class FreshExplorationSelector<S extends PipelineState> implements Selector<S> {
  private final int n;
  private final Predicate<S> wanted;
  private final ToIntFunction<S> freshMask;

  /**
   * @param wanted whether this request's blend has an exploration slot
   * @param freshMask the channel-mask bit of the fresh channel for this request (0: no fresh
   *     channel ran)
   */
  public FreshExplorationSelector(int n, Predicate<S> wanted, ToIntFunction<S> freshMask) {
    this.n = n;
    this.wanted = wanted;
    this.freshMask = freshMask;
  }

  @Override
  public String id() {
    return "exploration";
  }

  @Override
  public CandidateTable select(S state, CandidateTable in) {
    int mask = freshMask.applyAsInt(state);
    if (!wanted.test(state) || mask == 0) {
      return in;
    }
    CandidateTable recalled = state.recalled();
    LongIndex present = new LongIndex(java.util.Arrays.copyOf(in.ids, in.size()));
    CandidateTable out = null;
    long[] added = new long[n];
    int count = 0;
    for (int i = 0; i < recalled.size() && count < n; i++) {
      long id = recalled.ids[i];
      if ((recalled.masks[i] & mask) == 0 || present.rowOf(id) >= 0 || contains(added, count, id)) {
        continue;
      }
      if (out == null) {
        out = new CandidateTable(in.size() + n);
        for (int j = 0; j < in.size(); j++) {
          out.copyRow(in, j);
        }
      }
      out.add(id, recalled.kinds[i], recalled.masks[i], recalled.recallScores[i]);
      added[count++] = id;
    }
    return out == null ? in : out;
  }

  private static boolean contains(long[] ids, int n, long id) {
    for (int i = 0; i < n; i++) {
      if (ids[i] == id) {
        return true;
      }
    }
    return false;
  }
}
