package io.rankingcluster.mixer;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
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

/**
 * The stages over gRPC: one channel per recall shard (in shard order; each spreads over the shard's
 * replicas), one to prerank, one to rank. Built from outside (Netty from {@link Channels} in production,
 * in-process in tests); closed with the mixer. Every call carries its budget as the gRPC deadline (so the
 * cancellation reaches the stage) and the request id as x-request-id.
 *
 * <p>Reconnects: gRPC backs off up to two minutes before it tries a failed address again. A replica that was
 * restarted must get traffic within seconds, so every {@code --reconnect-check-ms} the backoff of every
 * channel is reset (a cheap call; it only touches subchannels in TRANSIENT_FAILURE).
 */
public final class Downstreams extends Stages {
  private final List<RecallServiceGrpc.RecallServiceFutureStub> recallShards = new ArrayList<>();
  private final PrerankServiceGrpc.PrerankServiceBlockingStub prerank;
  private final RankServiceGrpc.RankServiceBlockingStub rank;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService reconnects;

  public Downstreams(List<ManagedChannel> recallShardChannels, ManagedChannel prerankChannel, ManagedChannel rankChannel,
      MixerOptions options) {
    super(recallShardChannels.size(), options);
    for (ManagedChannel c : recallShardChannels) {
      recallShards.add(RecallServiceGrpc.newFutureStub(c).withInterceptors(RequestIds.client()));
      channels.add(c);
    }
    prerank = PrerankServiceGrpc.newBlockingStub(prerankChannel).withInterceptors(RequestIds.client());
    rank = RankServiceGrpc.newBlockingStub(rankChannel).withInterceptors(RequestIds.client());
    channels.add(prerankChannel);
    channels.add(rankChannel);
    reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mixer-reconnect");
      t.setDaemon(true);
      return t;
    });
    reconnects.scheduleWithFixedDelay(() -> channels.forEach(ManagedChannel::resetConnectBackoff),
        options.reconnectCheckMs, options.reconnectCheckMs, TimeUnit.MILLISECONDS);
  }

  /** Channels to the stages named in {@code options} (targets as in {@link Channels}). */
  public static Downstreams open(MixerOptions options) {
    List<ManagedChannel> shards = new ArrayList<>();
    for (String target : options.shardTargets()) {
      shards.add(Channels.open(target, options));
    }
    return new Downstreams(shards, Channels.open(options.prerankTarget, options), Channels.open(options.rankTarget, options),
        options);
  }

  @Override
  public ListenableFuture<RecallResponse> recall(int shard, RecallRequest request, long nanos) {
    return recallShards.get(shard).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).recall(request);
  }

  @Override
  public ListenableFuture<GetEmbeddingsResponse> getEmbeddings(int shard, GetEmbeddingsRequest request, long nanos) {
    return recallShards.get(shard).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).getEmbeddings(request);
  }

  @Override
  public PrerankResponse prerank(PrerankRequest request, long nanos) {
    return prerank.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).prerank(request);
  }

  @Override
  public RankResponse rank(RankRequest request, long nanos) {
    return rank.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).rank(request);
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
