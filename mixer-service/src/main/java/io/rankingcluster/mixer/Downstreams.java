package io.rankingcluster.mixer;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.observability.RequestIds;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The stages over gRPC: one channel per recall shard (in shard order; each spreads over the shard's
 * replicas), one to prerank, one to rank. Built from outside (Netty from {@link Channels} in
 * production, in-process in tests); closed with the mixer. Every call carries its budget as the
 * gRPC deadline (so the cancellation reaches the stage) and the request id as x-request-id.
 *
 * <p>Reconnects: gRPC backs off up to two minutes before it tries a failed address again. A replica
 * that was restarted must get traffic within seconds, so every {@code --reconnect-check-ms} the
 * backoff of every channel is reset (a cheap call; it only touches subchannels in
 * TRANSIENT_FAILURE).
 */
public final class Downstreams extends Stages {
  /** A panic call needs at least this much of its budget left to be worth sending. */
  private static final long PANIC_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final List<RecallServiceGrpc.RecallServiceFutureStub> recallShards = new ArrayList<>();
  private final PrerankServiceGrpc.PrerankServiceBlockingStub prerank;
  private final RankServiceGrpc.RankServiceBlockingStub rank;

  /**
   * Per shard, then prerank, rank: the panic stubs ({@link Channels#openPanic}); null where there
   * is none.
   */
  private final List<RecallServiceGrpc.RecallServiceFutureStub> recallPanic = new ArrayList<>();

  private final PrerankServiceGrpc.PrerankServiceBlockingStub prerankPanic;
  private final RankServiceGrpc.RankServiceBlockingStub rankPanic;
  private volatile StageMetrics metrics;

  /**
   * The stage calls under go-grpc-prometheus's client names (grpc_client_handled_total, ...), once
   * instrumented.
   */
  private final io.grpc.ClientInterceptor clientMetrics =
      io.rankingcluster.common.metrics.StandardGrpcMetrics.client(
          () -> metrics == null ? null : metrics.telemetry().registry());

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService reconnects;

  public Downstreams(
      List<ManagedChannel> recallShardChannels,
      ManagedChannel prerankChannel,
      ManagedChannel rankChannel,
      MixerConfig options) {
    this(recallShardChannels, prerankChannel, rankChannel, null, null, null, options);
  }

  /**
   * With panic channels: {@code recallPanicChannels} (null, or one per shard with null entries) and
   * the two stage ones (each may be null). A call the primary channel fails with UNAVAILABLE is
   * sent once more on the panic channel with what is left of its budget.
   */
  public Downstreams(
      List<ManagedChannel> recallShardChannels,
      ManagedChannel prerankChannel,
      ManagedChannel rankChannel,
      List<ManagedChannel> recallPanicChannels,
      ManagedChannel prerankPanicChannel,
      ManagedChannel rankPanicChannel,
      MixerConfig options) {
    super(recallShardChannels.size(), options);
    for (int s = 0; s < recallShardChannels.size(); s++) {
      ManagedChannel c = recallShardChannels.get(s);
      recallShards.add(
          RecallServiceGrpc.newFutureStub(c).withInterceptors(RequestIds.client(), clientMetrics));
      channels.add(c);
      ManagedChannel panic = recallPanicChannels == null ? null : recallPanicChannels.get(s);
      recallPanic.add(
          panic == null
              ? null
              : RecallServiceGrpc.newFutureStub(panic)
                  .withInterceptors(RequestIds.client(), clientMetrics));
      if (panic != null) {
        channels.add(panic);
      }
    }
    prerank =
        PrerankServiceGrpc.newBlockingStub(prerankChannel)
            .withInterceptors(RequestIds.client(), clientMetrics);
    rank =
        RankServiceGrpc.newBlockingStub(rankChannel)
            .withInterceptors(RequestIds.client(), clientMetrics);
    channels.add(prerankChannel);
    channels.add(rankChannel);
    prerankPanic =
        prerankPanicChannel == null
            ? null
            : PrerankServiceGrpc.newBlockingStub(prerankPanicChannel)
                .withInterceptors(RequestIds.client(), clientMetrics);
    rankPanic =
        rankPanicChannel == null
            ? null
            : RankServiceGrpc.newBlockingStub(rankPanicChannel)
                .withInterceptors(RequestIds.client(), clientMetrics);
    if (prerankPanicChannel != null) {
      channels.add(prerankPanicChannel);
    }
    if (rankPanicChannel != null) {
      channels.add(rankPanicChannel);
    }
    reconnects =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mixer-reconnect");
              t.setDaemon(true);
              return t;
            });
    reconnects.scheduleWithFixedDelay(
        () -> channels.forEach(ManagedChannel::resetConnectBackoff),
        options.reconnectCheckMs(),
        options.reconnectCheckMs(),
        TimeUnit.MILLISECONDS);
  }

  /** Channels to the stages named in {@code options} (targets as in {@link Channels}). */
  public static Downstreams open(MixerConfig options) {
    List<ManagedChannel> shards = new ArrayList<>();
    List<ManagedChannel> shardPanics = new ArrayList<>();
    for (String target : options.shardTargets()) {
      shards.add(Channels.open(target, options));
      shardPanics.add(Channels.openPanic(target, options));
    }
    return new Downstreams(
        shards,
        Channels.open(options.prerankTarget(), options),
        Channels.open(options.rankTarget(), options),
        shardPanics,
        Channels.openPanic(options.prerankTarget(), options),
        Channels.openPanic(options.rankTarget(), options),
        options);
  }

  @Override
  void instrument(StageMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public ListenableFuture<RecallResponse> recall(int shard, RecallRequest request, long nanos) {
    return panicOnUnavailableAsync(
        recallGuards.get(shard).name,
        nanos,
        left ->
            recallShards.get(shard).withDeadlineAfter(left, TimeUnit.NANOSECONDS).recall(request),
        recallPanic.get(shard) == null
            ? null
            : left ->
                recallPanic
                    .get(shard)
                    .withDeadlineAfter(left, TimeUnit.NANOSECONDS)
                    .recall(request));
  }

  @Override
  public ListenableFuture<GetEmbeddingsResponse> getEmbeddings(
      int shard, GetEmbeddingsRequest request, long nanos) {
    return panicOnUnavailableAsync(
        recallGuards.get(shard).name,
        nanos,
        left ->
            recallShards
                .get(shard)
                .withDeadlineAfter(left, TimeUnit.NANOSECONDS)
                .getEmbeddings(request),
        recallPanic.get(shard) == null
            ? null
            : left ->
                recallPanic
                    .get(shard)
                    .withDeadlineAfter(left, TimeUnit.NANOSECONDS)
                    .getEmbeddings(request));
  }

  @Override
  public PrerankResponse prerank(PrerankRequest request, long nanos) {
    return panicOnUnavailable(
        prerankGuard.name,
        nanos,
        left -> prerank.withDeadlineAfter(left, TimeUnit.NANOSECONDS).prerank(request),
        prerankPanic == null
            ? null
            : left -> prerankPanic.withDeadlineAfter(left, TimeUnit.NANOSECONDS).prerank(request));
  }

  @Override
  public RankResponse rank(RankRequest request, long nanos) {
    return panicOnUnavailable(
        rankGuard.name,
        nanos,
        left -> rank.withDeadlineAfter(left, TimeUnit.NANOSECONDS).rank(request),
        rankPanic == null
            ? null
            : left -> rankPanic.withDeadlineAfter(left, TimeUnit.NANOSECONDS).rank(request));
  }

  /**
   * A blocking call; on UNAVAILABLE with budget left, once more through {@code panic} (when there
   * is one).
   */
  private <T> T panicOnUnavailable(
      String stage, long nanos, LongFunction<T> primary, LongFunction<T> panic) {
    long start = System.nanoTime();
    try {
      return primary.apply(nanos);
    } catch (StatusRuntimeException e) {
      long left = nanos - (System.nanoTime() - start);
      if (panic == null || !worthPanic(e, left)) {
        throw e;
      }
      panicked(stage);
      return panic.apply(left);
    }
  }

  /** The same for a call with a future. */
  private <T> ListenableFuture<T> panicOnUnavailableAsync(
      String stage,
      long nanos,
      LongFunction<ListenableFuture<T>> primary,
      LongFunction<ListenableFuture<T>> panic) {
    long start = System.nanoTime();
    ListenableFuture<T> first = primary.apply(nanos);
    if (panic == null) {
      return first;
    }
    return Futures.catchingAsync(
        first,
        StatusRuntimeException.class,
        e -> {
          long left = nanos - (System.nanoTime() - start);
          if (!worthPanic(e, left)) {
            return Futures.immediateFailedFuture(e);
          }
          panicked(stage);
          return panic.apply(left);
        },
        MoreExecutors.directExecutor());
  }

  /**
   * Only UNAVAILABLE (no replica left, or none reachable) with {@code left} ns of budget worth a
   * call.
   */
  private static boolean worthPanic(StatusRuntimeException e, long left) {
    return e.getStatus().getCode() == Status.Code.UNAVAILABLE && left >= PANIC_MIN_NANOS;
  }

  private void panicked(String stage) {
    StageMetrics m = metrics;
    if (m != null) {
      m.panicRoute(stage);
    }
  }

  @Override
  public void close() {
    reconnects.shutdownNow();
    for (ManagedChannel c : channels) {
      c.shutdown();
    }
    for (ManagedChannel c : channels) {
      try {
        if (!c.awaitTermination(2, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
