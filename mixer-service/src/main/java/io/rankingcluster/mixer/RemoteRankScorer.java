package io.rankingcluster.mixer;

import io.rankingcluster.core.catalog.LongIndex;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.FailPolicy;
import io.rankingcluster.core.pipeline.Scorer;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;

/**
 * Rank over gRPC (or directly in process): the multi-task heads (click, conversion, watch) and the
 * value per impression of every candidate, written back in input order (NaN value: the service did
 * not know the item). Fails open: values become the previous stage's scores, heads stay 0, and the
 * order is prerank's.
 */
final class RemoteRankScorer implements Scorer<RecommendState> {
  private final Stages stages;
  private final long minBudgetMs;

  RemoteRankScorer(Stages stages, long minBudgetMs) {
    this.stages = stages;
    this.minBudgetMs = minBudgetMs;
  }

  @Override
  public String id() {
    return "rank";
  }

  @Override
  public FailPolicy<RecommendState> failPolicy() {
    return FailPolicy.open(
        "fell back to prerank order",
        s -> {
          CandidateTable t = s.candidates();
          System.arraycopy(t.scores, 0, t.values, 0, t.size());
          s.rankFellBack = true;
        });
  }

  @Override
  public void score(RecommendState s, CandidateTable in) {
    RankRequest request =
        RankRequest.newBuilder()
            .setContext(s.downstream)
            .setUser(s.features)
            .setCandidates(Blocks.of(in))
            .build();
    RankResponse r =
        GuardedCall.call(
            stages.rankGuard,
            s.budget.stageNanos(Budget.RANK),
            minBudgetMs,
            nanos -> stages.rank(request, nanos));
    s.rankModelVersion = r.getModelVersion();
    s.trace().detail(r.getModelVersion());
    s.trace().checkVersion("rank", s.downstream.getSnapshotVersion(), r.getSnapshotVersion());
    LongIndex answered = Blocks.index(r.getItemIdsCount(), r::getItemIds);
    for (int i = 0; i < in.size(); i++) {
      int j = answered.rowOf(in.ids[i]);
      float v = j < 0 ? Float.NaN : r.getValues(j);
      if (j >= 0) {
        in.pClick[i] = r.getPClick(j);
        in.pConvert[i] = r.getPConvert(j);
        in.watchSeconds[i] = r.getWatchSeconds(j);
      }
      in.values[i] = v;
      in.scores[i] = v;
    }
  }
}
