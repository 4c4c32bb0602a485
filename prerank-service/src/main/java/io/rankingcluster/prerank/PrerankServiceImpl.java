package io.rankingcluster.prerank;

import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ModelChoice;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.common.mapping.WarmUpRequests;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;

/**
 * The Prerank rpc: validates, scores with core's {@link PrerankScorer}, keeps the top K per kind.
 * Each call uses the snapshot version it pins (context.snapshot_version) while this service still
 * holds it, else the current one, and names the version used in its response.
 */
public final class PrerankServiceImpl extends PrerankServiceGrpc.PrerankServiceImplBase {
  private final Versioned<PrerankData> data;
  private final int[] defaultTopK;
  private final int maxTopK;
  private final int maxCandidates;
  private StageMetrics metrics = new StageMetrics(Telemetry.create("prerank-service"));

  /** Serves one snapshot for good (tests, tools). */
  public PrerankServiceImpl(Snapshot snapshot, int[] defaultTopK, int maxTopK, int maxCandidates) {
    this(
        Versioned.fixed(snapshot.version(), PrerankData.of(snapshot)),
        defaultTopK,
        maxTopK,
        maxCandidates);
  }

  /** Serves whatever {@code data} holds; a snapshot watcher swaps it. */
  public PrerankServiceImpl(
      Versioned<PrerankData> data, int[] defaultTopK, int maxTopK, int maxCandidates) {
    this.data = data;
    this.defaultTopK = defaultTopK.clone();
    this.maxTopK = maxTopK;
    this.maxCandidates = maxCandidates;
  }

  /**
   * Records into {@code metrics} (calls per model version, candidates in and out); returns this.
   */
  public PrerankServiceImpl instrument(StageMetrics metrics) {
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
                                "stage", "prerank", "model_version", v))
                    .toList());
    return this;
  }

  @Override
  public void prerank(PrerankRequest request, StreamObserver<PrerankResponse> out) {
    Candidates in = ProtoMapping.candidates(request.getCandidates(), "candidates", maxCandidates);
    if (in.size == 0) {
      throw Statuses.invalid("candidates.item_ids", "no candidates to prerank");
    }
    // One read of the holder per call: every part of the call sees the same version.
    PrerankData d = data.forVersion(request.getContext().getSnapshotVersion()).state();
    UserSignals user =
        ProtoMapping.user(request.getUser(), "user", d.tree(), UserProfiles.MAX_RECENT);
    int[] topK =
        ProtoMapping.kindLimits(
            request.getTopKPerKindList(), "top_k_per_kind", defaultTopK, maxTopK);
    float[] vector = ProtoMapping.userVector(request.getUser(), "user", d.dimension());
    long time = ProtoMapping.clientTimeMs(request.getContext(), "context");
    PrerankScorer scorer =
        ModelChoice.choose(request.getContext(), "prerank", d.byModelVersion(), d.scorer());
    PrerankScorer.Result result = scorer.topKPerKind(in, user, vector, time, topK);
    PrerankResponse.Builder resp =
        PrerankResponse.newBuilder()
            .setCandidates(ProtoMapping.block(result.kept()))
            .setModelVersion(scorer.modelVersion())
            .setSnapshotVersion(d.version());
    metrics.modelRequest("prerank", scorer.modelVersion());
    metrics.candidates("prerank", in.size, result.kept().size);
    for (ItemKind k : ItemKind.values()) {
      if (result.shortKinds()[k.index()]) {
        resp.addShortKindsValue(k.code());
      }
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  /**
   * Warm-up call {@code i} as the mixer sends it: the snapshot's users in turn over the catalog's
   * first 2,000 items, the held models in turn.
   */
  PrerankRequest warmUpRequest(UserProfiles users, Embeddings userVectors, int i) {
    PrerankData d = data.current().state();
    String[] versions = d.byModelVersion().keySet().toArray(new String[0]);
    RequestContext.Builder ctx = WarmUpRequests.context(users, i);
    if (versions.length > 0) {
      ctx.putModelVersions("prerank", versions[i % versions.length]);
    }
    return PrerankRequest.newBuilder()
        .setContext(ctx)
        .setUser(WarmUpRequests.user(users, userVectors, d.dimension(), d.catalog(), i))
        .setCandidates(WarmUpRequests.candidates(d.catalog(), 2000))
        .build();
  }
}
