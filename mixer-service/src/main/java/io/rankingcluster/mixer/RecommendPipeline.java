package io.rankingcluster.mixer;

import com.github.benmanes.caffeine.cache.Cache;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.experiment.ExperimentRouter;
import io.rankingcluster.core.pipeline.Pipeline;
import io.rankingcluster.core.pipeline.component.ExcludedItemsFilter;
import io.rankingcluster.core.pipeline.component.FreshExplorationSelector;
import io.rankingcluster.core.pipeline.component.KindFilter;
import io.rankingcluster.core.pipeline.component.KindQuotaSelector;
import io.rankingcluster.core.pipeline.component.PerKindCutSelector;
import io.rankingcluster.core.pipeline.component.ValueOrderSelector;

/**
 * The Recommend pipeline, as the design describes it: pin the snapshot, decide the experiment arm,
 * read the quality factor (the share of the full candidate counts under load), build the user's
 * state; recall from every shard; drop kinds the request leaves out and items already served;
 * prerank all and keep the best per kind; give rank a quota per kind plus a few fresh items for the
 * exploration slot; rank; order by value; blend the page; sign the next page's token. Each line is
 * one component with its own id (the stage name in debug, metrics and degraded reasons) and its own
 * fail policy (recall shards, prerank and rank fail open; recall as a whole, when no shard answers,
 * fails open to the last-resort popular list).
 */
final class RecommendPipeline {
  /** Fresh-channel candidates added to rank's input when the blend has an exploration slot. */
  static final int EXPLORATION_CANDIDATES = 5;

  private RecommendPipeline() {}

  /**
   * What the components are made of: the mixer's data, stages, settings, caches and token codec.
   */
  record Parts(
      Versioned<MixerData> data,
      QualityFactor quality,
      Stages stages,
      MixerConfig options,
      ExperimentRouter experiments,
      BlendSettings blendSettings,
      EmbeddingCache embeddings,
      Cache<String, RecommendState.UserState> userStates,
      PageTokenCodec tokens) {}

  static Pipeline<RecommendState> of(Parts p) {
    MixerConfig o = p.options();
    return Pipeline.<RecommendState>builder("recommend")
        .hydrate(new SnapshotHydrator(p.data(), p.embeddings(), o.prewarmItems()))
        .hydrate(new QualityFactorHydrator(p.quality()))
        .hydrate(new ExperimentArmHydrator(p.experiments(), p.blendSettings()))
        .hydrate(
            new UserStateHydrator(
                p.userStates(), p.embeddings(), o.recentWeight(), o.userStateBudgetMs()))
        .source(new ShardedRecallSource(p.stages(), o))
        .filter(new KindFilter<>(s -> s.request.allowedKinds()))
        .filter(new ExcludedItemsFilter<>("served_filter", s -> s.request.served()))
        .score(new RemotePrerankScorer(p.stages(), o.prerankTopK(), o.minStageBudgetMs()))
        .select(new PerKindCutSelector<>(o.prerankTopK()))
        .select(
            new KindQuotaSelector<>(
                "rank_quota",
                s -> QualityFactor.scaled(o.rankMax(), s.qualityFactor, s.request.pageSize()),
                o.prerankTopK()))
        .select(
            new FreshExplorationSelector<>(
                EXPLORATION_CANDIDATES,
                s -> s.rules.config().explorationSlot() > 0,
                s -> s.channelBit("fresh")))
        .score(new RemoteRankScorer(p.stages(), o.minStageBudgetMs()))
        .select(new ValueOrderSelector<>(s -> s.rankFellBack))
        .blend(new SlotBlend(p.embeddings()))
        .sideEffect(new PageTokenSideEffect(p.tokens()))
        .build();
  }
}
