package io.rankingcluster.mixer;

import static io.rankingcluster.common.mapping.Statuses.invalid;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.observability.RequestIds;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.blend.Blender;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.blend.PageTokenCodec.InvalidTokenException;
import io.rankingcluster.core.blend.PageTokenCodec.PageState;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.experiment.ExperimentRouter;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.DebugInfo;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.StageDebug;
import io.rankingcluster.proto.v1.StageScores;
import io.rankingcluster.proto.v1.UserFeatures;
import io.rankingcluster.proto.v1.Versions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Recommend, end to end: validate; pin a snapshot version; user state; recall fan-out to every shard in
 * parallel; prerank; rank; blend; sign the next-page token.
 *
 * <p>Design note. One deadline governs the request: the client's, or the server default applied by the
 * common interceptor. {@link Budget} gives each stage its share of what remains, and every downstream call
 * carries {@code min(stage budget, remaining)} as its own gRPC deadline, so cancellation reaches the stage
 * when the budget ends. A failing part costs its contribution, not the request: a lost shard costs its
 * candidates, a failed prerank falls back to recall order, a failed rank to prerank order; each marks the
 * response degraded with a reason. Only when recall yields nothing at all does the request fail.
 *
 * <p>Versions. The mixer pins its current snapshot version at the start of each request (one read of a
 * {@link Versioned}) and sends it down in context.snapshot_version; every stage answers from that version
 * while it holds it, else from its current one. A stage that names another version in its answer marks the
 * response degraded with cause "version_skew": the page is still served, from mixed data.
 */
public final class MixerServiceImpl extends MixerServiceGrpc.MixerServiceImplBase implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MixerServiceImpl.class.getName());

  /** Fresh-channel candidates added to rank's input when the blend has an exploration slot. */
  static final int EXPLORATION_CANDIDATES = 5;

  private final Versioned<MixerData> data;
  private final Stages downstreams;
  private final MixerOptions options;
  private final PageTokenCodec tokens;
  private final BlendSettings blendSettings;
  private final ExperimentRouter experiments;
  private final EmbeddingCache embeddings;
  private final com.github.benmanes.caffeine.cache.Cache<String, UserState> userStates;

  /** Serves one snapshot for good (tests, tools). */
  public MixerServiceImpl(Snapshot snapshot, Stages downstreams, MixerOptions options, PageTokenCodec tokens) {
    this(Versioned.fixed(snapshot.version(), MixerData.of(snapshot)), downstreams, options, tokens);
  }

  /** Serves whatever {@code data} holds; a snapshot watcher swaps it. */
  public MixerServiceImpl(Versioned<MixerData> data, Stages downstreams, MixerOptions options,
      PageTokenCodec tokens) {
    this.data = data;
    this.downstreams = downstreams;
    this.options = options;
    this.experiments = options.experimentRouter();
    this.tokens = tokens;
    this.blendSettings = BlendSettings.of(options, options.armBlendNames());
    blendSettings.start(options.blendConfigPollMs);
    this.embeddings = new EmbeddingCache(downstreams, options.embeddingCacheMb << 20, 60_000);
    // Pages 2..k of a session and repeated opens reuse the state; the TTL bounds how stale it gets.
    this.userStates = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(options.userStateCacheSize)
        .expireAfterWrite(java.time.Duration.ofMillis(options.userStateTtlMs))
        .recordStats()
        .build();
  }

  private StageMetrics metrics = new StageMetrics(Telemetry.create("mixer-service"));

  /**
   * Records into {@code metrics}: stage latencies and candidates, degraded parts by cause, pages, the embedding
   * and user-state caches (hits, misses, evictions, size), breaker states and bulkheads. Returns this.
   */
  public MixerServiceImpl instrument(StageMetrics metrics) {
    this.metrics = metrics;
    downstreams.instrument(metrics);
    io.micrometer.core.instrument.MeterRegistry registry = metrics.telemetry().registry();
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, embeddings.cache(), "embeddings");
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, userStates, "user_state");
    io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics
        .ofCircuitBreakerRegistry(downstreams.breakers).bindTo(registry);
    io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics.ofBulkheadRegistry(downstreams.bulkheads).bindTo(registry);
    metrics.telemetry().info("ranking.blend.config.info", "Blend configurations in force (value 1; default=true for the"
        + " default one)", () -> blendSettings.names().stream().map(n -> io.micrometer.core.instrument.Tags.of("config", n,
            "default", Boolean.toString(n.equals(blendSettings.defaultName())))).toList());
    return this;
  }

  /** Stops the background pre-warm. */
  @Override
  public void close() {
    embeddings.close();
    blendSettings.close();
  }

  /** Re-reads the --blend-config file now (AdminService/ReloadConfig). */
  public io.rankingcluster.common.admin.AdminServiceImpl.ConfigReload reloadConfig() {
    long refusals = blendSettings.refusals();
    boolean changed = blendSettings.poll();
    String detail = changed ? "blend config reloaded: " + blendSettings.names() + ", default " + blendSettings.defaultName()
        : blendSettings.refusals() > refusals ? "blend config refused (see the log); the rules in force stay"
        : "blend config unchanged (" + (options.blendConfig.isEmpty() ? "no --blend-config file" : options.blendConfig) + ")";
    return new io.rankingcluster.common.admin.AdminServiceImpl.ConfigReload(changed, detail);
  }

  /** The blending rules in force (tests). */
  BlendSettings blendSettings() {
    return blendSettings;
  }

  /** The hot-embedding cache (tests and metrics). */
  EmbeddingCache embeddings() {
    return embeddings;
  }

  @Override
  public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> out) {
    // The request's id, for the logs here and (as x-request-id) for every stage call: the client's
    // context.request_id when given, else the header's (or the id the server made).
    String id = request.getContext().getRequestId();
    if (id.isEmpty() || id.length() > 128) {
      id = RequestIds.current() != null ? RequestIds.current() : UUID.randomUUID().toString();
    }
    RequestIds.runWith(id, () -> {
      out.onNext(recommend(request));
      out.onCompleted();
    });
  }

  /** One Recommend, on the calling thread (whose gRPC Context carries the deadline). */
  RecommendResponse recommend(RecommendRequest request) {
    long t0 = System.nanoTime();
    Parsed p = parse(request);
    Budget budget = p.budget;
    Trace trace = new Trace(request.getContext().getDebug(), metrics);

    // The one snapshot version of this request: clients normally pin none (the current one).
    String requested = request.getContext().getSnapshotVersion();
    Versioned.Entry<MixerData> pinned = data.forVersion(requested);
    MixerData d = pinned.state();
    String version = d.version();
    if (pinned.isSkewFor(requested)) {
      trace.versionSkew("mixer", requested, version);
    }
    Catalog catalog = d.catalog();
    if (!embeddings.prewarmStarted(version)) {
      // Once per version: the copy of the popular ids (160 KB by default) is not made on every request.
      embeddings.prewarm(version, Arrays.copyOf(d.popularIds(), Math.min(options.prewarmItems, d.popularIds().length)),
          RequestContext.newBuilder().setRequestId("prewarm-" + version).build());
    }

    // One experiment arm per request, decided here and passed down: every stage serves the same arm.
    ExperimentRouter.Arm arm = experimentArm(request.getContext());
    UserState state = userState(d, request.getContext(), p, trace, t0);
    int country = p.country >= 0 ? p.country : state.row() >= 0 ? d.users().country(state.row()) : -1;
    RequestContext downstreamContext = request.getContext().toBuilder()
        .putAllModelVersions(modelVersions(arm))
        .setRequestId(p.requestId)
        .setSnapshotVersion(version)
        .setCountry(country >= 0 ? Catalog.COUNTRIES[country] : "")
        .setClientTimeMs(p.clientTimeMs)
        .build();
    UserFeatures features = state.features();

    // Recall fan-out.
    long tRecall = System.nanoTime();
    Recalled recalled = recall(p, downstreamContext, features, budget, trace);
    trace.stage("recall", tRecall, 0, recalled.block.getItemIdsCount(),
        "budget " + ms(budget.stageNanos(Budget.RECALL)) + " ms, shards " + downstreams.shards());
    if (recalled.block.getItemIdsCount() == 0) {
      if (!trace.reasons.isEmpty()) {
        Status status = recalled.allDeadline ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
        throw status.withDescription("recall: no shard answered (" + describe(trace.reasons) + ")").asRuntimeException();
      }
    }

    // Prerank; on failure keep recall order, cut to the same per-kind sizes.
    long tPrerank = System.nanoTime();
    CandidateBlock recalledBlock = recalled.block;
    // Nothing recalled (every shard answered, but nothing passed the filters in time): nothing to score, and a
    // stage asked to score nothing would answer INVALID_ARGUMENT. The page is empty, not an error.
    PrerankResponse pr = recalledBlock.getItemIdsCount() == 0 ? null
        : guarded("prerank", downstreams.prerankGuard, budget.stageNanos(Budget.PRERANK), "fell back to recall order",
            trace, nanos -> downstreams.prerank(PrerankRequest.newBuilder()
            .setContext(downstreamContext).setUser(features).setCandidates(recalledBlock)
            .addAllTopKPerKind(limits(options.prerankTopK)).build(), nanos));
    CandidateBlock preranked;
    String prerankVersion = "";
    if (pr != null) {
      preranked = pr.getCandidates();
      prerankVersion = pr.getModelVersion();
      trace.checkVersion("prerank", version, pr.getSnapshotVersion());
    } else {
      preranked = cutPerKind(recalled.block, options.prerankTopK);
    }
    trace.stage("prerank", tPrerank, recalled.block.getItemIdsCount(), preranked.getItemIdsCount(), prerankVersion);

    // Rank the best of prerank; on failure keep prerank order.
    long tRank = System.nanoTime();
    BlendSettings.Named rules = blendSettings.get(arm.settings().get("blend"));
    CandidateBlock toRank = rules.config().explorationSlot() > 0
        ? withFreshCandidates(firstN(preranked, options.rankMax), recalled.block, EXPLORATION_CANDIDATES)
        : firstN(preranked, options.rankMax);
    RankResponse rr = toRank.getItemIdsCount() == 0 ? null
        : guarded("rank", downstreams.rankGuard, budget.stageNanos(Budget.RANK), "fell back to prerank order", trace,
            nanos -> downstreams.rank(
            RankRequest.newBuilder().setContext(downstreamContext).setUser(features).setCandidates(toRank).build(), nanos));
    Ranked ranked;
    String rankVersion = "";
    if (rr != null) {
      ranked = Ranked.of(rr);
      rankVersion = rr.getModelVersion();
      trace.checkVersion("rank", version, rr.getSnapshotVersion());
    } else {
      ranked = Ranked.fallback(toRank);
    }
    trace.stage("rank", tRank, toRank.getItemIdsCount(), ranked.size, rankVersion);

    // Blend.
    long tBlend = System.nanoTime();
    long[] sellers = new long[ranked.size];
    for (int i = 0; i < ranked.size; i++) {
      int row = catalog.index.rowOf(ranked.ids[i]);
      sellers[i] = row < 0 ? -1 - i : catalog.sellers[row];
    }
    EmbeddingCache.Lookup vectors = rules.mmrLambda() >= 1f ? null
        : embeddings.get(version, ranked.ids, ranked.size, budget.stageNanos(Budget.BLEND), downstreamContext);
    boolean[] fresh = null;
    if (rules.config().explorationSlot() > 0) {
      fresh = new boolean[ranked.size];
      // Ages count from the request's client time, or from the snapshot's newest item when the client's clock
      // is past it: a replayed or demo catalog would otherwise have no fresh item at all.
      long since = Math.min(p.clientTimeMs, d.newestItemMs()) - rules.explorationMaxAgeMs();
      for (int i = 0; i < ranked.size; i++) {
        int row = catalog.index.rowOf(ranked.ids[i]);
        fresh[i] = row >= 0 && catalog.createdMs[row] >= since;
      }
    }
    Blender.Placement[] page = new Blender(rules.config()).blend(ranked.kinds, sellers, ranked.size, p.pageSize,
        p.allowedKinds, diversity(vectors, ranked, rules.mmrLambda()), fresh);
    trace.stage("blend", tBlend, ranked.size, page.length, "config " + rules.name() + "; "
        + (vectors == null ? "mmr off" : cacheDetail(vectors)));

    RecommendResponse.Builder resp = RecommendResponse.newBuilder().setRequestId(p.requestId);
    long[] served = Arrays.copyOf(p.served, p.served.length + page.length);
    for (int pos = 0; pos < page.length; pos++) {
      int i = page[pos].input();
      served[p.served.length + pos] = ranked.ids[i];
      FeedItem.Builder item = feedItem(catalog, ranked, i, pos + 1, page[pos].rule(), recalled, preranked, trace.debug);
      if (trace.debug && page[pos].displaced() >= 0) {
        item.setDisplacedItemId(ranked.ids[page[pos].displaced()]);
      }
      resp.addItems(item);
    }
    resp.setNextPageToken(tokens.encode(new PageState(p.page + 1, served, System.currentTimeMillis())));
    resp.setDegraded(!trace.reasons.isEmpty()).addAllDegradedReasons(trace.reasons);
    metrics.page(!trace.reasons.isEmpty());
    resp.setVersions(Versions.newBuilder().setSnapshotVersion(version)
        .setPrerankModelVersion(prerankVersion).setRankModelVersion(rankVersion).setExperimentArm(arm.name())
        .setBlendConfig(rules.name()));
    if (trace.debug) {
      resp.setDebug(DebugInfo.newBuilder().addAllStages(trace.stages));
    }
    return resp.build();
  }

  /**
   * One blocking stage call under its guard and budget. Returns null when the guard refused the call or the
   * call failed; the trace then holds the degraded reason and {@code fallback} says what the page does instead.
   */
  private <T> T guarded(String stage, Guard guard, long nanos, String fallback, Trace trace,
      java.util.function.LongFunction<T> rpc) {
    Guard.Refusal refusal = guard.enter();
    if (refusal != Guard.Refusal.NONE) {
      trace.degrade(stage, refusal.cause, fallback + " (" + guard.name + " " + refusal.cause + ")");
      return null;
    }
    long start = System.nanoTime();
    try {
      T answer = rpc.apply(nanos);
      guard.exit(start, Status.OK);
      return answer;
    } catch (StatusRuntimeException e) {
      judge(guard, start, nanos, e.getStatus());
      trace.degrade(stage, e.getStatus(), fallback);
      return null;
    } catch (RuntimeException e) {
      guard.exitUnjudged();
      throw e;
    }
  }

  /** Ends a guarded call: unjudged when its budget was below the minimum (a short client deadline, not the stage). */
  private void judge(Guard guard, long start, long budgetNanos, Status status) {
    if (budgetNanos < TimeUnit.MILLISECONDS.toNanos(options.minStageBudgetMs)) {
      guard.exitUnjudged();
    } else {
      guard.exit(start, status);
    }
  }

  /** The arm's model versions for the stages (its other settings, such as blend, stay in the mixer). */
  private static java.util.Map<String, String> modelVersions(ExperimentRouter.Arm arm) {
    java.util.Map<String, String> out = new java.util.HashMap<>(arm.settings());
    out.remove("blend");
    return out;
  }

  /** The arm forced by the request (NOT_FOUND when unknown), or the user's arm by the router's stable hash. */
  private ExperimentRouter.Arm experimentArm(RequestContext ctx) {
    if (ctx.getExperiment().isEmpty()) {
      return experiments.arm(ctx.getUserId());
    }
    ExperimentRouter.Arm forced = experiments.byName(ctx.getExperiment());
    if (forced == null) {
      StringBuilder names = new StringBuilder();
      experiments.arms().forEach(a -> names.append(names.length() == 0 ? "" : ", ").append(a.name()));
      throw io.rankingcluster.common.mapping.Statuses.notFound("context.experiment", "no experiment arm '"
          + ctx.getExperiment() + "' (arms: " + names + ")");
    }
    return forced;
  }

  private record Parsed(String requestId, int pageSize, boolean[] allowedKinds, int page, long[] served, int country,
      long clientTimeMs, Budget budget) {}

  private Parsed parse(RecommendRequest request) {
    if (!request.hasContext()) {
      throw invalid("context", "required (with context.user_id)");
    }
    RequestContext ctx = request.getContext();
    if (ctx.getUserId().isBlank()) {
      throw invalid("context.user_id", "required; unknown users get a cold-start page");
    }
    if (ctx.getUserId().length() > 256) {
      throw invalid("context.user_id", "longer than 256 characters");
    }
    int pageSize = request.getPageSize();
    if (pageSize < 0 || pageSize > options.maxPageSize) {
      throw invalid("page_size", "must be in [0, " + options.maxPageSize + "] (0 = default " + options.defaultPageSize
          + "), was " + pageSize);
    }
    if (pageSize == 0) {
      pageSize = options.defaultPageSize;
    }
    boolean[] allowed = new boolean[ItemKind.COUNT];
    if (request.getKindsCount() == 0) {
      Arrays.fill(allowed, true);
    }
    for (int i = 0; i < request.getKindsCount(); i++) {
      allowed[ProtoMapping.kind(request.getKindsValue(i), "kinds[" + i + "]").index()] = true;
    }
    int page = 1;
    long[] served = new long[0];
    if (!request.getPageToken().isEmpty()) {
      try {
        PageState state = tokens.decode(request.getPageToken(), System.currentTimeMillis());
        page = state.nextPage();
        served = state.servedIds();
      } catch (InvalidTokenException e) {
        throw invalid("page_token", e.getMessage());
      }
    }
    String requestId = !ctx.getRequestId().isEmpty() ? ctx.getRequestId()
        : RequestIds.current() != null ? RequestIds.current() : UUID.randomUUID().toString();
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      deadline = Deadline.after(100, TimeUnit.MILLISECONDS); // only direct calls without a gRPC context
    }
    return new Parsed(requestId, pageSize, allowed, page, served, ProtoMapping.country(ctx, "context"),
        ProtoMapping.clientTimeMs(ctx, "context"), new Budget(deadline, options.budgetShares, options.reserveMs));
  }

  private record Recalled(CandidateBlock block, boolean allDeadline) {}

  private Recalled recall(Parsed p, RequestContext ctx, UserFeatures features, Budget budget, Trace trace) {
    int shards = downstreams.shards();
    long nanos = budget.stageNanos(Budget.RECALL);
    RecallRequest.Builder req = RecallRequest.newBuilder().setContext(ctx).setUser(features);
    for (ItemKind k : ItemKind.values()) {
      int perShard = p.allowedKinds[k.index()]
          ? (int) Math.ceil(options.recallPerKind[k.index()] * options.overFetch / shards) : 0;
      // A kind the request excludes is asked with the smallest limit, then dropped below: limit 0 means default.
      req.addKindLimits(KindLimit.newBuilder().setKindValue(k.code()).setLimit(Math.max(perShard, 1)));
    }
    for (long id : p.served) {
      req.addExcludeItemIds(id);
    }
    RecallRequest recallRequest = req.build();
    List<ListenableFuture<RecallResponse>> futures = new ArrayList<>(shards);
    java.util.concurrent.atomic.AtomicBoolean[] cancelledByUs = new java.util.concurrent.atomic.AtomicBoolean[shards];
    // Each shard's own latency, from its call to its answer: the answers are collected one after the other,
    // so the time spent waiting for shard s would include the shards before it.
    long[] sentAt = new long[shards];
    java.util.concurrent.atomic.AtomicLongArray answeredAt = new java.util.concurrent.atomic.AtomicLongArray(shards);
    for (int s = 0; s < shards; s++) {
      Guard guard = downstreams.recallGuards.get(s);
      Guard.Refusal refusal = guard.enter();
      if (refusal != Guard.Refusal.NONE) {
        futures.add(null);
        trace.degrade("recall_shard_" + s, refusal.cause, "shard's candidates lost (" + refusal.cause + ")");
        continue;
      }
      long start = System.nanoTime();
      sentAt[s] = start;
      int shard = s;
      java.util.concurrent.atomic.AtomicBoolean ours = new java.util.concurrent.atomic.AtomicBoolean();
      cancelledByUs[s] = ours;
      ListenableFuture<RecallResponse> f = downstreams.recall(s, recallRequest, nanos);
      com.google.common.util.concurrent.Futures.addCallback(f, new com.google.common.util.concurrent.FutureCallback<>() {
        @Override
        public void onSuccess(RecallResponse result) {
          answeredAt.set(shard, System.nanoTime());
          guard.exit(start, Status.OK);
        }

        @Override
        public void onFailure(Throwable t) {
          if (ours.get() || t instanceof java.util.concurrent.CancellationException) {
            guard.exitUnjudged();
          } else {
            judge(guard, start, nanos, Status.fromThrowable(t));
          }
        }
      }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
      futures.add(f);
    }
    List<RecallResponse> answers = new ArrayList<>(shards);
    boolean allDeadline = true;
    for (int s = 0; s < shards; s++) {
      ListenableFuture<RecallResponse> future = futures.get(s);
      if (future == null) {
        allDeadline = false;
        continue;
      }
      try {
        // The call's own deadline ends it; the extra wait only guards against a lost completion.
        RecallResponse answer = future.get(nanos + TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.NANOSECONDS);
        answers.add(answer);
        allDeadline = false;
        trace.checkVersion("recall_shard_" + s, ctx.getSnapshotVersion(), answer.getSnapshotVersion());
        // The callback may run just after get() returns; then now is within microseconds of the answer.
        long answered = answeredAt.get(s) != 0 ? answeredAt.get(s) : System.nanoTime();
        trace.stage("recall_shard_" + s, sentAt[s], answered, 0, answer.getCandidates().getItemIdsCount(), "");
      } catch (ExecutionException e) {
        Status status = Status.fromThrowable(e.getCause());
        allDeadline &= status.getCode() == Status.Code.DEADLINE_EXCEEDED;
        trace.degrade("recall_shard_" + s, status, "shard's candidates lost");
      } catch (TimeoutException e) {
        cancelledByUs[s].set(true);
        future.cancel(true);
        trace.degrade("recall_shard_" + s, Status.DEADLINE_EXCEEDED, "shard's candidates lost");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        for (int r = 0; r < shards; r++) {
          if (futures.get(r) != null) {
            cancelledByUs[r].set(true);
            futures.get(r).cancel(true);
          }
        }
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
    if (answers.size() == 1 && allKinds(p.allowedKinds) && sortedWithMasks(answers.get(0).getCandidates())) {
      // One shard answered with a block that is already what the merge would build: no copy (JFR: the copy's
      // protobuf array growth was the mixer's largest allocation site).
      return new Recalled(answers.get(0).getCandidates(), allDeadline);
    }
    // Merge shards: shards own disjoint items, and recall scores are comparable across shards.
    int total = 0;
    for (RecallResponse r : answers) {
      total += r.getCandidates().getItemIdsCount();
    }
    long[] ids = new long[total];
    byte[] kinds = new byte[total];
    float[] scores = new float[total];
    int[] masks = new int[total];
    int n = 0;
    for (RecallResponse r : answers) {
      CandidateBlock b = r.getCandidates();
      for (int i = 0; i < b.getItemIdsCount(); i++) {
        if (!p.allowedKinds[b.getKindsValue(i) - 1]) {
          continue;
        }
        ids[n] = b.getItemIds(i);
        kinds[n] = (byte) b.getKindsValue(i);
        scores[n] = b.getScores(i);
        masks[n] = b.getChannelMasksCount() > i ? b.getChannelMasks(i) : 0;
        n++;
      }
    }
    int[] order = io.rankingcluster.core.Order.byScoreDescending(scores, n);
    CandidateBlock.Builder merged = CandidateBlock.newBuilder();
    for (int i : order) {
      merged.addItemIds(ids[i]).addKindsValue(kinds[i]).addScores(scores[i]).addChannelMasks(masks[i]);
    }
    return new Recalled(merged.build(), allDeadline);
  }

  private static boolean allKinds(boolean[] allowed) {
    for (boolean a : allowed) {
      if (!a) {
        return false;
      }
    }
    return true;
  }

  /** True when scores never increase along the block and every candidate has its channel mask. */
  private static boolean sortedWithMasks(CandidateBlock b) {
    int n = b.getItemIdsCount();
    if (b.getKindsCount() != n || b.getScoresCount() != n || b.getChannelMasksCount() != n) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      if (!(b.getScores(i) <= b.getScores(i - 1))) {
        return false;
      }
    }
    return true;
  }

  private static FeedItem.Builder feedItem(Catalog catalog, Ranked ranked, int i, int position, String rule, Recalled recalled,
      CandidateBlock preranked, boolean debug) {
    long id = ranked.ids[i];
    int row = catalog.index.rowOf(id);
    FeedItem.Builder item = FeedItem.newBuilder().setItemId(id).setKindValue(ranked.kinds[i]).setValue(ranked.values[i])
        .setPosition(position).setPlacementRule(rule);
    if (row >= 0) {
      item.setSellerId(catalog.sellers[row]).setCategoryId(catalog.categories[row]).setTitle(catalog.titles[row])
          .setPrice(catalog.prices[row]);
    }
    int at = indexOf(recalled.block, id);
    if (at >= 0) {
      int mask = recalled.block.getChannelMasks(at);
      for (Channel c : Channel.values()) {
        if ((mask & c.bit()) != 0) {
          item.addChannels(RecallChannel.forNumber(c.number()));
        }
      }
    }
    if (debug) {
      int pre = indexOf(preranked, id);
      item.setStageScores(StageScores.newBuilder()
          .setRecall(at >= 0 ? recalled.block.getScores(at) : 0f)
          .setPrerank(pre >= 0 ? preranked.getScores(pre) : 0f)
          .setPClick(ranked.pClick[i]).setPConvert(ranked.pConvert[i]).setWatchSeconds(ranked.watch[i]));
    }
    return item;
  }

  /** MMR inputs for the ranked candidates: their values and unit-length embeddings (null when MMR is off). */
  private static Blender.Diversity diversity(EmbeddingCache.Lookup vectors, Ranked ranked, float lambda) {
    if (vectors == null) {
      return null;
    }
    int dim = 0;
    for (float[] v : vectors.vectors()) {
      if (v != null) {
        dim = v.length;
        break;
      }
    }
    if (dim == 0) {
      return null;
    }
    float[] unit = new float[ranked.size * dim];
    for (int i = 0; i < ranked.size; i++) {
      float[] v = vectors.vectors()[i];
      if (v == null || v.length != dim) {
        continue; // not loaded in time: this item gets no similarity penalty
      }
      float norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
      for (int k = 0; k < dim; k++) {
        unit[i * dim + k] = v[k] * inv;
      }
    }
    return new Blender.Diversity(ranked.values, unit, dim, lambda);
  }

  private static String cacheDetail(EmbeddingCache.Lookup l) {
    return "embeddings: " + l.hits() + " cache hits, " + l.misses() + " misses, " + l.loaded() + " loaded in "
        + l.calls() + " GetEmbeddings calls";
  }

  /** A user's state for one snapshot version: profile row (-1 unknown), recent items, signals, and what is sent down. */
  record UserState(int row, long[] recent, UserFeatures features) {}

  /**
   * The user's state, from the user-state cache (TTL) or built: profile signals, and the user vector as the
   * long-term vector of the snapshot plus the embeddings of the recent items (fetched through the embedding
   * cache), weighted by --recent-weight. An unknown user is a cold start, never an error.
   */
  private UserState userState(MixerData d, RequestContext ctx, Parsed p, Trace trace, long t0) {
    String key = d.version() + '\u0000' + ctx.getUserId();
    UserState cached = userStates.getIfPresent(key);
    if (cached != null) {
      trace.stage("user_state", t0, 0, cached.recent().length, "user-state cache hit");
      return cached;
    }
    UserProfiles users = d.users();
    Catalog catalog = d.catalog();
    int row = users.rowOf(ctx.getUserId());
    long[] recent = row < 0 ? new long[0] : users.recentItems(row);
    UserSignals user = UserSignals.of(recent, catalog, d.tree().parentCount(), d.tree().leavesPerParent());
    UserFeatures.Builder features = ProtoMapping.features(user).toBuilder();
    Embeddings longTerm = d.userVectors();
    float[] vector = null;
    if (row >= 0 && longTerm.dimension() > 0) {
      vector = new float[longTerm.dimension()];
      longTerm.copyRow(row, vector, 0);
    }
    String detail = row < 0 ? "cold start" : "known user";
    if (recent.length > 0 && options.recentWeight > 0) {
      long nanos = Math.min(TimeUnit.MILLISECONDS.toNanos(options.userStateBudgetMs), Math.max(0, p.budget.remainingNanos() / 10));
      EmbeddingCache.Lookup l = embeddings.get(d.version(), recent, recent.length, nanos,
          ctx.toBuilder().setRequestId(p.requestId).build());
      vector = io.rankingcluster.core.embed.UserVectors.blend(vector, l.vectors(), options.recentWeight);
      detail += "; recent items' " + cacheDetail(l);
    }
    if (vector != null) {
      for (float v : vector) {
        features.addUserVector(v);
      }
    }
    UserState state = new UserState(row, recent, features.build());
    userStates.put(key, state);
    trace.stage("user_state", t0, 0, recent.length, detail);
    return state;
  }

  private static int indexOf(CandidateBlock b, long id) {
    // Linear, but only for the page's items (tens) over a block of thousands: cheaper than building an index.
    for (int i = 0; i < b.getItemIdsCount(); i++) {
      if (b.getItemIds(i) == id) {
        return i;
      }
    }
    return -1;
  }

  private static List<KindLimit> limits(int[] perKind) {
    List<KindLimit> out = new ArrayList<>();
    for (ItemKind k : ItemKind.values()) {
      out.add(KindLimit.newBuilder().setKindValue(k.code()).setLimit(Math.max(1, perKind[k.index()])).build());
    }
    return out;
  }

  private static CandidateBlock cutPerKind(CandidateBlock b, int[] perKind) {
    int[] taken = new int[ItemKind.COUNT];
    CandidateBlock.Builder out = CandidateBlock.newBuilder();
    for (int i = 0; i < b.getItemIdsCount(); i++) {
      int k = b.getKindsValue(i) - 1;
      if (taken[k]++ < perKind[k]) {
        out.addItemIds(b.getItemIds(i)).addKindsValue(b.getKindsValue(i)).addScores(b.getScores(i))
            .addChannelMasks(b.getChannelMasks(i));
      }
    }
    return out.build();
  }

  /**
   * At most n candidates for rank, split over the kinds in proportion to the prerank quotas (prerank scores
   * are click probabilities, not comparable values across kinds: a cut by score alone would starve the kinds
   * with lower click rates, such as live streams). A kind with fewer candidates leaves its share to the others.
   * Within a kind, best prerank score first.
   */
  private CandidateBlock firstN(CandidateBlock b, int n) {
    if (b.getItemIdsCount() <= n) {
      return b;
    }
    int total = 0;
    for (int q : options.prerankTopK) {
      total += q;
    }
    int[] available = new int[ItemKind.COUNT];
    for (int i = 0; i < b.getItemIdsCount(); i++) {
      available[b.getKindsValue(i) - 1]++;
    }
    int[] quota = new int[ItemKind.COUNT];
    int assigned = 0;
    for (int k = 0; k < ItemKind.COUNT; k++) {
      quota[k] = Math.min(available[k], (int) ((long) n * options.prerankTopK[k] / Math.max(1, total)));
      assigned += quota[k];
    }
    for (int k = 0; k < ItemKind.COUNT && assigned < n; k++) {
      int extra = Math.min(n - assigned, available[k] - quota[k]);
      quota[k] += extra;
      assigned += extra;
    }
    float[] scores = new float[b.getItemIdsCount()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = b.getScores(i);
    }
    int[] order = io.rankingcluster.core.Order.byScoreDescending(scores, scores.length);
    int[] taken = new int[ItemKind.COUNT];
    CandidateBlock.Builder out = CandidateBlock.newBuilder();
    for (int i : order) {
      int k = b.getKindsValue(i) - 1;
      if (taken[k] < quota[k]) {
        taken[k]++;
        out.addItemIds(b.getItemIds(i)).addKindsValue(b.getKindsValue(i)).addScores(b.getScores(i))
            .addChannelMasks(b.getChannelMasksCount() > i ? b.getChannelMasks(i) : 0);
      }
    }
    return out.build();
  }

  /**
   * Adds up to {@code n} candidates of the fresh recall channel that prerank cut: new items have no history, so
   * the light model scores them low, and the exploration slot would never see one. Rank scores them like the
   * rest; the blender puts the best-ranked fresh item in the exploration slot.
   */
  private static CandidateBlock withFreshCandidates(CandidateBlock toRank, CandidateBlock recalled, int n) {
    java.util.Set<Long> present = new java.util.HashSet<>(toRank.getItemIdsList());
    CandidateBlock.Builder out = toRank.toBuilder();
    int added = 0;
    for (int i = 0; i < recalled.getItemIdsCount() && added < n; i++) {
      if ((recalled.getChannelMasks(i) & Channel.FRESH.bit()) != 0 && present.add(recalled.getItemIds(i))) {
        out.addItemIds(recalled.getItemIds(i)).addKindsValue(recalled.getKindsValue(i)).addScores(recalled.getScores(i))
            .addChannelMasks(recalled.getChannelMasks(i));
        added++;
      }
    }
    return added == 0 ? toRank : out.build();
  }

  private static String describe(List<DegradedReason> reasons) {
    StringBuilder sb = new StringBuilder();
    for (DegradedReason r : reasons) {
      sb.append(sb.length() == 0 ? "" : "; ").append(r.getStage()).append(": ").append(r.getCause());
      if (!r.getDetail().isEmpty()) {
        sb.append(" - ").append(r.getDetail());
      }
    }
    return sb.toString();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** Ranked candidates as parallel arrays, best first. */
  private static final class Ranked {
    final long[] ids;
    final byte[] kinds;
    final float[] values;
    final float[] pClick;
    final float[] pConvert;
    final float[] watch;
    final int size;

    private Ranked(int n) {
      ids = new long[n];
      kinds = new byte[n];
      values = new float[n];
      pClick = new float[n];
      pConvert = new float[n];
      watch = new float[n];
      size = n;
    }

    static Ranked of(RankResponse r) {
      Ranked out = new Ranked(r.getItemIdsCount());
      for (int i = 0; i < out.size; i++) {
        out.ids[i] = r.getItemIds(i);
        out.kinds[i] = (byte) r.getKindsValue(i);
        out.values[i] = r.getValues(i);
        out.pClick[i] = r.getPClick(i);
        out.pConvert[i] = r.getPConvert(i);
        out.watch[i] = r.getWatchSeconds(i);
      }
      return out;
    }

    /** Prerank order, value = the previous stage's score (heads unknown: 0). */
    static Ranked fallback(CandidateBlock b) {
      Ranked out = new Ranked(b.getItemIdsCount());
      for (int i = 0; i < out.size; i++) {
        out.ids[i] = b.getItemIds(i);
        out.kinds[i] = (byte) b.getKindsValue(i);
        out.values[i] = b.getScores(i);
      }
      return out;
    }
  }

  /** Degraded reasons and per-stage debug records of one request. */
  private static final class Trace {
    final boolean debug;
    final List<DegradedReason> reasons = new ArrayList<>();
    final List<StageDebug> stages = new ArrayList<>();
    private final StageMetrics metrics;

    Trace(boolean debug, StageMetrics metrics) {
      this.debug = debug;
      this.metrics = metrics;
    }

    void stage(String name, long startNanos, int in, int out, String detail) {
      stage(name, startNanos, System.nanoTime(), in, out, detail);
    }

    void stage(String name, long startNanos, long endNanos, int in, int out, String detail) {
      metrics.stageDuration(name, endNanos - startNanos);
      metrics.candidates(name, in, out);
      if (debug) {
        stages.add(StageDebug.newBuilder().setStage(name).setLatencyMs((endNanos - startNanos) / 1e6f)
            .setCandidatesIn(in).setCandidatesOut(out).setDetail(detail).build());
      }
    }

    void degrade(String stage, Status status, String detail) {
      degrade(stage, status.getCode().name().toLowerCase(java.util.Locale.ROOT),
          detail + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"));
    }

    void degrade(String stage, String cause, String detail) {
      metrics.degraded(stage, cause);
      reasons.add(DegradedReason.newBuilder().setStage(stage).setCause(cause).setDetail(detail).build());
      LOG.fine(() -> stage + " degraded: " + cause);
    }

    /**
     * Marks skew when a stage answered from another snapshot version than the request pinned. A stage that
     * names no version (an older build) cannot be judged and is trusted.
     */
    void checkVersion(String stage, String pinned, String answered) {
      if (!answered.isEmpty() && !answered.equals(pinned)) {
        versionSkew(stage, pinned, answered);
      }
    }

    void versionSkew(String stage, String pinned, String answered) {
      metrics.degraded(stage, "version_skew");
      reasons.add(DegradedReason.newBuilder().setStage(stage).setCause("version_skew")
          .setDetail("request pinned snapshot " + pinned + ", answered from " + answered).build());
      LOG.fine(() -> stage + " degraded: version_skew (" + pinned + " -> " + answered + ")");
    }
  }
}
