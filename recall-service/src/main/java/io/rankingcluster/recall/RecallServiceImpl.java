package io.rankingcluster.recall;

import static io.rankingcluster.common.mapping.Statuses.invalid;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.mapping.WarmUpRequests;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.core.recall.RecallEngine;
import io.rankingcluster.core.recall.RecallQuery;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.ChannelLimit;
import io.rankingcluster.proto.v1.ChannelStats;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.ShardInfo;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Recall rpc over one shard: validates the request, runs the shard's channels through core's
 * {@link RecallEngine}, and answers with packed candidates and per-channel statistics. Each call
 * uses the shard data of the snapshot version it pins (context.snapshot_version) while this shard
 * still holds it, else the current one, and names the version used in its response.
 */
public final class RecallServiceImpl extends RecallServiceGrpc.RecallServiceImplBase {
  private final Versioned<ShardData> data;
  private final RecallConfig limits;
  private final ChannelRegistry registry;
  private final double[] shares;
  private final ExecutorService channelPool;

  /** Serves one shard data for good (tests, tools). */
  public RecallServiceImpl(ShardData shard, RecallConfig limits) {
    this(Versioned.fixed(shard.version, shard), limits);
  }

  /** Serves whatever shard data {@code data} holds; a snapshot watcher swaps it. */
  public RecallServiceImpl(Versioned<ShardData> data, RecallConfig limits) {
    this(data, limits, ChannelRegistry.standard());
  }

  /** As above, naming channels by {@code registry} (the one the shard data was built from). */
  public RecallServiceImpl(
      Versioned<ShardData> data, RecallConfig limits, ChannelRegistry registry) {
    this.data = data;
    this.limits = limits;
    this.registry = registry;
    this.shares = limits.shares(registry);
    int threads = limits.effectiveChannelThreads();
    AtomicInteger n = new AtomicInteger();
    // Bounded: beyond the queue a channel is refused and reported, which fails that channel, not
    // the call.
    this.channelPool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(threads * 64),
            r -> {
              Thread t = new Thread(r, "recall-channel-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  private StageMetrics metrics = new StageMetrics(Telemetry.create("recall-service"));

  /**
   * Records into {@code metrics} (candidates per channel, channel failures, candidates out);
   * returns this.
   */
  public RecallServiceImpl instrument(StageMetrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /** Stops the channel threads (after the server has drained). */
  public void close() {
    channelPool.shutdownNow();
  }

  @Override
  public void recall(RecallRequest request, StreamObserver<RecallResponse> out) {
    // One read of the holder per call: every part of the call sees the same version.
    ShardData shard = data.forVersion(request.getContext().getSnapshotVersion()).state();
    RecallQuery query = query(request, shard);
    int[] channelLimits = channelLimits(request, shard);
    // The channels share what is left of the caller's deadline, minus a reserve to merge and
    // answer.
    Deadline deadline = Context.current().getDeadline();
    long budget =
        (deadline == null
                ? TimeUnit.MILLISECONDS.toNanos(100)
                : deadline.timeRemaining(TimeUnit.NANOSECONDS))
            - TimeUnit.MILLISECONDS.toNanos(limits.mergeReserveMs());
    RecallEngine.Result result =
        shard.engine.recall(query, channelLimits, shares, Math.max(0, budget), channelPool);
    RecallResponse.Builder resp =
        RecallResponse.newBuilder()
            .setCandidates(ProtoMapping.block(result.candidates()))
            .setShard(ShardInfo.newBuilder().setIndex(shard.index).setCount(shard.count))
            .setSnapshotVersion(shard.version);
    metrics.candidates("recall", 0, result.candidates().size);
    for (RecallEngine.ChannelReport r : result.channels()) {
      metrics.channel(r.channel().label(), r.candidates(), !r.failure().isEmpty());
      resp.addChannelStats(
          ChannelStats.newBuilder()
              .setChannelValue(r.channel().standard() ? r.channel().number() : 0)
              .setName(r.channel().label())
              .setMaskBit(r.channel().number())
              .setCandidates(r.candidates())
              .setLatencyMs(r.latencyMs())
              .setFailure(r.failure()));
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  @Override
  public void getEmbeddings(
      GetEmbeddingsRequest request, StreamObserver<GetEmbeddingsResponse> out) {
    if (request.getItemIdsCount() > limits.maxEmbeddingIds()) {
      throw invalid(
          "item_ids",
          "at most "
              + limits.maxEmbeddingIds()
              + " ids per call, got "
              + request.getItemIdsCount());
    }
    ShardData shard = data.forVersion(request.getContext().getSnapshotVersion()).state();
    int dim = shard.embeddings.dimension();
    GetEmbeddingsResponse.Builder resp =
        GetEmbeddingsResponse.newBuilder().setSnapshotVersion(shard.version).setDimension(dim);
    float[] row = new float[dim];
    for (int i = 0; i < request.getItemIdsCount(); i++) {
      long id = request.getItemIds(i);
      int r = shard.catalog.index.rowOf(id);
      if (r < 0) {
        // Unknown here (another shard's item, or no such item): listed, not an error.
        resp.addMissingItemIds(id);
        continue;
      }
      shard.embeddings.copyRow(r, row, 0);
      resp.addItemIds(id);
      for (float v : row) {
        resp.addVectors(v);
      }
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  RecallQuery query(RecallRequest request, ShardData shard) {
    UserSignals user =
        ProtoMapping.user(request.getUser(), "user", shard.categories, UserProfiles.MAX_RECENT);
    if (request.getExcludeItemIdsCount() > limits.maxExcludeIds()) {
      throw invalid(
          "exclude_item_ids",
          "at most " + limits.maxExcludeIds() + " ids, got " + request.getExcludeItemIdsCount());
    }
    int[] kindLimits =
        ProtoMapping.kindLimits(
            request.getKindLimitsList(),
            "kind_limits",
            limits.defaultKindLimits(),
            limits.maxLimit());
    Catalog catalog = shard.engine.catalog();
    long[] exclude = new long[request.getExcludeItemIdsCount()];
    for (int i = 0; i < exclude.length; i++) {
      exclude[i] = request.getExcludeItemIds(i);
    }
    float[] vector = new float[request.getUser().getUserVectorCount()];
    if (vector.length != 0 && vector.length != shard.embeddings.dimension()) {
      throw invalid(
          "user.user_vector",
          "has "
              + vector.length
              + " dimensions; this snapshot's embeddings have "
              + shard.embeddings.dimension());
    }
    for (int i = 0; i < vector.length; i++) {
      vector[i] = request.getUser().getUserVector(i);
    }
    return new RecallQuery(
        catalog,
        user.recentItemIds,
        vector,
        user.affinities,
        ProtoMapping.country(request.getContext(), "context"),
        ProtoMapping.clientTimeMs(request.getContext(), "context"),
        exclude,
        kindLimits);
  }

  /**
   * Per channel number: the request's limit where it sets one, else the channel's default; 0 for
   * channels the shard does not run. A channel is named by its standard enum value or its
   * registered name (both: they must agree); a name no registry entry has is INVALID_ARGUMENT; a
   * registered channel this shard does not run (--channels) is ignored, so one request fits shards
   * configured differently.
   */
  int[] channelLimits(RecallRequest request, ShardData shard) {
    int[] out = shard.engine.defaultLimits();
    boolean[] seen = new boolean[out.length];
    for (int i = 0; i < request.getChannelLimitsCount(); i++) {
      ChannelLimit l = request.getChannelLimits(i);
      String f = "channel_limits[" + i + "]";
      Channel c = channel(l, f);
      if (seen[c.number()]) {
        throw invalid(f, "channel " + c.label() + " listed twice");
      }
      seen[c.number()] = true;
      if (Integer.toUnsignedLong(l.getLimit()) > limits.maxLimit()) {
        throw invalid(
            f + ".limit",
            "must be <= " + limits.maxLimit() + ", was " + Integer.toUnsignedString(l.getLimit()));
      }
      if (l.getLimit() > 0 && out[c.number()] > 0) {
        out[c.number()] = l.getLimit();
      }
    }
    return out;
  }

  private Channel channel(ChannelLimit l, String field) {
    Channel byEnum = null;
    if (l.getChannelValue() != 0) {
      ChannelRegistry.Registration r =
          l.getChannel() == RecallChannel.UNRECOGNIZED
              ? null
              : registry.byNumber(l.getChannelValue());
      if (r == null || !r.channel().standard()) {
        throw invalid(field + ".channel", "unknown channel " + l.getChannelValue());
      }
      byEnum = r.channel();
    }
    if (l.getName().isEmpty()) {
      if (byEnum == null) {
        throw invalid(field, "names no channel: set channel or name");
      }
      return byEnum;
    }
    ChannelRegistry.Registration r = registry.get(l.getName());
    if (r == null) {
      throw invalid(
          field + ".name",
          "unknown channel '"
              + l.getName()
              + "' (registered: "
              + String.join(", ", registry.names())
              + ")");
    }
    if (byEnum != null && !byEnum.equals(r.channel())) {
      throw invalid(
          field, "channel " + l.getChannel() + " and name '" + l.getName() + "' disagree");
    }
    return r.channel();
  }

  /**
   * Warm-up call {@code i} as the mixer sends it: the snapshot's users in turn, with their vectors.
   */
  RecallRequest warmUpRequest(UserProfiles users, Embeddings userVectors, int i) {
    ShardData shard = data.current().state();
    return RecallRequest.newBuilder()
        .setContext(WarmUpRequests.context(users, i))
        .setUser(
            WarmUpRequests.user(users, userVectors, shard.embeddings.dimension(), shard.catalog, i))
        .build();
  }
}
