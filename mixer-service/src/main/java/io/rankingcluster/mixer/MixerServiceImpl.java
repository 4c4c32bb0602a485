package io.rankingcluster.mixer;

import static io.rankingcluster.common.mapping.Statuses.invalid;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.observability.RequestIds;
import io.rankingcluster.common.server.InternalErrors;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.blend.PageTokenCodec.InvalidTokenException;
import io.rankingcluster.core.blend.PageTokenCodec.PageState;
import io.rankingcluster.core.pipeline.Pipeline;
import io.rankingcluster.core.pipeline.StageException;
import io.rankingcluster.core.pipeline.Trace;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The public Recommend API: validates the request, runs the Recommend pipeline ({@link
 * RecommendPipeline}) over it, and maps the result to the answer. Everything between parsing and
 * the answer is a component of that pipeline.
 *
 * <p>Design note. One deadline governs the request: the client's, or the server default applied by
 * the common interceptor. {@link Budget} gives each stage its share of what remains, and every
 * downstream call carries {@code min(stage budget, remaining)} as its own gRPC deadline, so
 * cancellation reaches the stage when the budget ends. A failing part costs its contribution, not
 * the request: a lost shard costs its candidates, a failed prerank falls back to recall order, a
 * failed rank to prerank order, no recall shard at all to the snapshot's popular list for the
 * country (the last resort); each marks the response degraded with a reason. Under load the quality
 * factor shrinks the candidate counts before anything fails ({@link QualityFactor}).
 *
 * <p>Versions. The mixer pins its current snapshot version at the start of each request (one read
 * of a {@link Versioned}) and sends it down in context.snapshot_version; every stage answers from
 * that version while it holds it, else from its current one. A stage that names another version in
 * its answer marks the response degraded with cause "version_skew": the page is still served, from
 * mixed data.
 */
public final class MixerServiceImpl extends MixerServiceGrpc.MixerServiceImplBase
    implements AutoCloseable {
  private final MixerConfig options;
  private final PageTokenCodec tokens;
  private final Stages downstreams;
  private final BlendSettings blendSettings;
  private final EmbeddingCache embeddings;
  private final Cache<String, RecommendState.UserState> userStates;
  private final Pipeline<RecommendState> recommend;
  private final QualityFactor quality;
  private StageMetrics metrics = new StageMetrics(Telemetry.create("mixer-service"));
  private Trace.Listener listener = listener(metrics);

  /** Serves one snapshot for good (tests, tools). */
  public MixerServiceImpl(
      Snapshot snapshot, Stages downstreams, MixerConfig options, PageTokenCodec tokens) {
    this(Versioned.fixed(snapshot.version(), MixerData.of(snapshot)), downstreams, options, tokens);
  }

  /** Serves whatever {@code data} holds; a snapshot watcher swaps it. */
  public MixerServiceImpl(
      Versioned<MixerData> data, Stages downstreams, MixerConfig options, PageTokenCodec tokens) {
    this.downstreams = downstreams;
    this.options = options;
    this.tokens = tokens;
    this.blendSettings = BlendSettings.of(options, options.armBlendNames());
    blendSettings.start(options.blendConfigPollMs());
    this.embeddings = new EmbeddingCache(downstreams, options.embeddingCacheMb() << 20, 60_000);
    // Pages 2..k of a session and repeated opens reuse the state; the TTL bounds how stale it gets.
    this.userStates =
        Caffeine.newBuilder()
            .maximumSize(options.userStateCacheSize())
            .expireAfterWrite(Duration.ofMillis(options.userStateTtlMs()))
            .recordStats()
            .build();
    this.quality =
        new QualityFactor(
            options.qualityLatencyShare(), options.qualityMinFactor(), options.qualityWindowMs());
    this.recommend =
        RecommendPipeline.of(
            new RecommendPipeline.Parts(
                data,
                quality,
                downstreams,
                options,
                options.experimentRouter(),
                blendSettings,
                embeddings,
                userStates,
                tokens));
  }

  /**
   * Records into {@code metrics}: stage latencies and candidates, degraded parts by cause, pages,
   * the embedding and user-state caches (hits, misses, evictions, size), breaker states and
   * bulkheads. Returns this.
   */
  public MixerServiceImpl instrument(StageMetrics metrics) {
    this.metrics = metrics;
    this.listener = listener(metrics);
    downstreams.instrument(metrics);
    io.micrometer.core.instrument.MeterRegistry registry = metrics.telemetry().registry();
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(
        registry, embeddings.cache(), "embeddings");
    io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(
        registry, userStates, "user_state");
    io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(
            downstreams.breakers)
        .bindTo(registry);
    io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics.ofBulkheadRegistry(
            downstreams.bulkheads)
        .bindTo(registry);
    io.micrometer.core.instrument.Gauge.builder("ranking.quality.factor", quality::factor)
        .description(
            "Share of the full recall and rank quotas requests ask for now (1 below capacity)")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ranking.quality.shrinks", quality, QualityFactor::shrinks)
        .description("Windows in which the quality factor shrank (latency near the deadline)")
        .register(registry);
    for (Guard g : downstreams.guards()) {
      io.micrometer.core.instrument.FunctionCounter.builder(
              "ranking.breaker.self.lag.unjudged", g, Guard::selfInflicted)
          .description(
              "Deadline misses not counted by the stage's breaker because the mixer itself ran"
                  + " late")
          .tag("stage", g.name)
          .register(registry);
    }
    metrics
        .telemetry()
        .info(
            "ranking.blend.config.info",
            "Blend configurations in force (value 1; default=true for the" + " default one)",
            () ->
                blendSettings.names().stream()
                    .map(
                        n ->
                            io.micrometer.core.instrument.Tags.of(
                                "config",
                                n,
                                "default",
                                Boolean.toString(n.equals(blendSettings.defaultName()))))
                    .toList());
    return this;
  }

  private static Trace.Listener listener(StageMetrics metrics) {
    return new Trace.Listener() {
      @Override
      public void stage(String name, long nanos, int in, int out) {
        metrics.stageDuration(name, nanos);
        metrics.candidates(name, in, out);
      }

      @Override
      public void degraded(String stage, String cause) {
        metrics.degraded(stage, cause);
      }
    };
  }

  /** The Recommend pipeline's components, in order (tests, docs). */
  java.util.List<String> recommendComponents() {
    return recommend.componentIds();
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
    String detail =
        changed
            ? "blend config reloaded: "
                + blendSettings.names()
                + ", default "
                + blendSettings.defaultName()
            : blendSettings.refusals() > refusals
                ? "blend config refused (see the log); the rules in force stay"
                : "blend config unchanged ("
                    + (options.blendConfig().isEmpty()
                        ? "no --blend-config file"
                        : options.blendConfig())
                    + ")";
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
    // The request's id, for the logs here, for every stage call (as x-request-id) and for the
    // answer: the client's context.request_id when given, else the header's (or the one the server
    // made); one rule (RequestIds).
    String id = RequestIds.forRequest(request.getContext().getRequestId());
    String requestId = id;
    RequestIds.runWith(
        id,
        () -> {
          RecommendResponse response;
          try {
            response = recommend(request);
          } catch (io.grpc.StatusRuntimeException e) {
            throw e;
          } catch (RuntimeException e) {
            // A bug of ours (a component's NullPointerException, a broken invariant): never a
            // degraded page.
            throw InternalErrors.internal("Recommend", requestId, e);
          }
          out.onNext(response);
          out.onCompleted();
        });
  }

  /** One Recommend, on the calling thread (whose gRPC Context carries the deadline). */
  RecommendResponse recommend(RecommendRequest request) {
    // The request's time counts from its arrival at the transport: a call that waited for a
    // request thread has spent part of its deadline already, and under overload that wait is most
    // of it.
    long now = System.nanoTime();
    Long arrived = io.rankingcluster.common.server.ConcurrencyLimitInterceptor.ARRIVAL_NANOS.get();
    long start = arrived != null && arrived <= now ? arrived : now;
    Budget budget = budget();
    long had = budget.remainingNanos() + (now - start);
    RecommendState state =
        new RecommendState(
            parse(request), budget, new Trace(request.getContext().getDebug(), listener));
    try {
      recommend.run(state);
    } catch (StageException e) {
      // Only a closed component fails the request: the last resort when the mixer holds no
      // snapshot.
      quality.observe(System.nanoTime() - start, had);
      Status status =
          e.code().equals("deadline_exceeded") ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
      throw status.withDescription(e.getMessage()).asRuntimeException();
    }
    metrics.page(state.trace().degraded());
    RecommendResponse response = RecommendResponses.of(state);
    quality.observe(System.nanoTime() - start, had);
    return response;
  }

  /** The quality factor in force (tests). */
  QualityFactor quality() {
    return quality;
  }

  /**
   * The request's deadline (the client's, or the server default the interceptor set) split into
   * stage budgets.
   */
  private Budget budget() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      deadline =
          Deadline.after(100, TimeUnit.MILLISECONDS); // only direct calls without a gRPC context
    }
    return new Budget(deadline, options.budgetShares(), options.reserveMs());
  }

  private RecommendState.Request parse(RecommendRequest request) {
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
    if (pageSize < 0 || pageSize > options.maxPageSize()) {
      throw invalid(
          "page_size",
          "must be in [0, "
              + options.maxPageSize()
              + "] (0 = default "
              + options.defaultPageSize()
              + "), was "
              + pageSize);
    }
    if (pageSize == 0) {
      pageSize = options.defaultPageSize();
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
    // Called within RequestIds.runWith(forRequest(...)): the current id is this request's.
    String requestId = RequestIds.forRequest(ctx.getRequestId());
    return new RecommendState.Request(
        ctx,
        requestId,
        pageSize,
        allowed,
        page,
        served,
        ProtoMapping.country(ctx, "context"),
        ProtoMapping.clientTimeMs(ctx, "context"));
  }
}
