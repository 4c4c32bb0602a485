package io.rankingcluster.mixer;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.LongIndex;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.FailPolicy;
import io.rankingcluster.core.pipeline.Scorer;
import io.rankingcluster.core.pipeline.component.PerKindCutSelector;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Prerank over gRPC (or directly in process): the light model scores every recalled candidate and
 * the service keeps its best {@code top_k_per_kind}, so only those cross the wire. Their prerank
 * scores are written back in input order; a candidate the service did not keep scores NaN
 * (dropped). Fails open: the page keeps recall order, cut to the same sizes per kind (what prerank
 * would have kept, so its candidates out keep their meaning).
 */
final class RemotePrerankScorer implements Scorer<RecommendState> {
  private final Stages stages;
  private final List<KindLimit> topK;
  private final long minBudgetMs;
  private final PerKindCutSelector<RecommendState> fallbackCut;

  RemotePrerankScorer(Stages stages, int[] topKPerKind, long minBudgetMs) {
    this.stages = stages;
    this.topK = limits(topKPerKind);
    this.minBudgetMs = minBudgetMs;
    this.fallbackCut = new PerKindCutSelector<>(topKPerKind);
  }

  @Override
  public String id() {
    return "prerank";
  }

  @Override
  public FailPolicy<RecommendState> failPolicy() {
    return FailPolicy.open(
        "fell back to recall order", s -> s.setCandidates(fallbackCut.select(s, s.candidates())));
  }

  @Override
  public void score(RecommendState s, CandidateTable in) {
    PrerankRequest request =
        PrerankRequest.newBuilder()
            .setContext(s.downstream)
            .setUser(s.features)
            .setCandidates(Blocks.of(in))
            .addAllTopKPerKind(topK)
            .build();
    PrerankResponse r =
        GuardedCall.call(
            stages.prerankGuard,
            s.budget.stageNanos(Budget.PRERANK),
            minBudgetMs,
            nanos -> stages.prerank(request, nanos));
    s.prerankModelVersion = r.getModelVersion();
    s.trace().detail(r.getModelVersion());
    s.trace().checkVersion("prerank", s.downstream.getSnapshotVersion(), r.getSnapshotVersion());
    // Index the survivors (hundreds), not the input (thousands), then walk the input once.
    CandidateBlock b = r.getCandidates();
    LongIndex answered = Blocks.index(b.getItemIdsCount(), b::getItemIds);
    float[] kept = new float[in.size()];
    for (int i = 0; i < in.size(); i++) {
      int j = answered.rowOf(in.ids[i]);
      kept[i] = j < 0 ? Float.NaN : b.getScores(j);
    }
    for (int i = 0; i < in.size(); i++) {
      in.scores[i] = kept[i];
      in.prerankScores[i] = kept[i];
    }
  }

  private static List<KindLimit> limits(int[] perKind) {
    List<KindLimit> out = new ArrayList<>();
    for (ItemKind k : ItemKind.values()) {
      out.add(
          KindLimit.newBuilder()
              .setKindValue(k.code())
              .setLimit(Math.max(1, perKind[k.index()]))
              .build());
    }
    return List.copyOf(out);
  }
}
