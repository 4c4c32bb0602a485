package io.rankingcluster.rank;

import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ModelChoice;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.common.mapping.WarmUpRequests;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;

/**
 * The Rank rpc: validates, computes the heads and values with core's {@link RankScorer}, sorted by
 * value. Each call uses the snapshot version it pins (context.snapshot_version) while this service
 * still holds it, else the current one, and names the version used in its response.
 */
public final class RankServiceImpl extends RankServiceGrpc.RankServiceImplBase {
  private final Versioned<RankData> data;
  private final int maxCandidates;
  private StageMetrics metrics = new StageMetrics(Telemetry.create("rank-service"));

  /** Serves one snapshot for good (tests, tools). */
  public RankServiceImpl(Snapshot snapshot, ValueFormula formula, int maxCandidates) {
    this(Versioned.fixed(snapshot.version(), RankData.of(snapshot, formula)), maxCandidates);
  }

  /** Serves whatever {@code data} holds; a snapshot watcher swaps it. */
  public RankServiceImpl(Versioned<RankData> data, int maxCandidates) {
    this.data = data;
    this.maxCandidates = maxCandidates;
  }

  /**
   * Records into {@code metrics} (calls per model version, candidates in and out); returns this.
   */
  public RankServiceImpl instrument(StageMetrics metrics) {
    this.metrics = metrics;
    metrics
        .telemetry()
        .info(
            "ranking.model.info",
            "Model versions loaded per stage (value 1)",
            () ->
                data.current().state().byModelVersion().keySet().stream()
                    .map(
                        v ->
                            io.micrometer.core.instrument.Tags.of(
                                "stage", "rank", "model_version", v))
                    .toList());
    return this;
  }

  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> out) {
    Candidates in = ProtoMapping.candidates(request.getCandidates(), "candidates", maxCandidates);
    if (in.size == 0) {
      throw Statuses.invalid("candidates.item_ids", "no candidates to rank");
    }
    // One read of the holder per call: every part of the call sees the same version.
    RankData d = data.forVersion(request.getContext().getSnapshotVersion()).state();
    UserSignals user =
        ProtoMapping.user(request.getUser(), "user", d.tree(), UserProfiles.MAX_RECENT);
    float[] vector = ProtoMapping.userVector(request.getUser(), "user", d.dimension());
    long time = ProtoMapping.clientTimeMs(request.getContext(), "context");
    RankScorer scorer =
        ModelChoice.choose(request.getContext(), "rank", d.byModelVersion(), d.scorer());
    RankScorer.Ranked r = scorer.rank(in, user, vector, time);
    metrics.modelRequest("rank", scorer.modelVersion());
    metrics.candidates("rank", in.size, r.size());
    RankResponse.Builder resp =
        RankResponse.newBuilder()
            .setModelVersion(scorer.modelVersion())
            .setSnapshotVersion(d.version());
    for (int i = 0; i < r.size(); i++) {
      resp.addItemIds(r.ids()[i])
          .addKindsValue(r.kinds()[i])
          .addPClick(r.pClick()[i])
          .addPConvert(r.pConvert()[i])
          .addWatchSeconds(r.watchSeconds()[i])
          .addValues(r.values()[i]);
    }
    if (request.getContext().getDebug()) {
      // The model's view of each candidate, to explain a ranking (and to check serving against
      // training).
      resp.addAllFeatureNames(java.util.List.of(RankFeatures.NAMES));
      for (float v : scorer.features(r.ids(), r.size(), user, vector, time)) {
        resp.addFeatureValues(v);
      }
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  /**
   * Warm-up call {@code i} as the mixer sends it: the snapshot's users in turn over the catalog's
   * first 200 items, the held models in turn (so an ONNX session has run before the first real
   * call).
   */
  RankRequest warmUpRequest(UserProfiles users, Embeddings userVectors, int i) {
    RankData d = data.current().state();
    String[] versions = d.byModelVersion().keySet().toArray(new String[0]);
    RequestContext.Builder ctx = WarmUpRequests.context(users, i);
    if (versions.length > 0) {
      ctx.putModelVersions("rank", versions[i % versions.length]);
    }
    return RankRequest.newBuilder()
        .setContext(ctx)
        .setUser(WarmUpRequests.user(users, userVectors, d.dimension(), d.catalog(), i))
        .setCandidates(WarmUpRequests.candidates(d.catalog(), 200))
        .build();
  }

  /** Warm-up calls to make: {@code n}, and at least one per held model. */
  int warmUpCalls(int n) {
    return Math.max(n, data.current().state().byModelVersion().size());
  }
}
