package io.rankingcluster.core.score;

import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Scorer;
import io.rankingcluster.core.pipeline.Selector;

/**
 * A stage's work: its scorer scores every candidate in input order, the candidates it could not
 * score (NaN) are dropped, then its selector cuts or orders (prerank: the best per kind, so no more
 * crosses the wire; rank: by value). The same two components the mixer's pipeline would run,
 * without its executor.
 */
public final class Scoring {
  private Scoring() {}

  public static CandidateTable run(
      Scorer<ScoringState> scorer,
      Selector<ScoringState> selector,
      ScoringState state,
      CandidateTable in) {
    if (in.size() == 0) {
      return in;
    }
    scorer.score(state, in);
    boolean[] keep = new boolean[in.size()];
    for (int i = 0; i < in.size(); i++) {
      keep[i] = !Float.isNaN(in.scores[i]);
    }
    return selector.select(state, in.keep(keep));
  }
}
