package io.rankingcluster.mixer;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.ManagedChannel;
import io.rankingcluster.common.observability.RequestIds;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The channels to the stages: one per recall shard (in shard order; each spreads over the shard's
 * replicas), one to prerank, one to rank, each with its {@link Guard}. Built from outside (Netty from
 * {@link Channels} in production, in-process in tests); closed with the mixer.
 *
 * <p>Reconnects: gRPC backs off up to two minutes before it tries a failed address again. A replica that was
 * restarted must get traffic within seconds, so every {@code --reconnect-check-ms} the backoff of every
 * channel is reset (a cheap call; it only touches subchannels in TRANSIENT_FAILURE).
 */
public final class Downstreams implements AutoCloseable {
  final List<RecallServiceGrpc.RecallServiceFutureStub> recallShards = new ArrayList<>();
  final List<Guard> recallGuards = new ArrayList<>();
  final PrerankServiceGrpc.PrerankServiceBlockingStub prerank;
  final Guard prerankGuard;
  final RankServiceGrpc.RankServiceBlockingStub rank;
  final Guard rankGuard;
  private final List<ManagedChannel> channels = new ArrayList<>();
  /** Every guard's breaker and bulkhead, in registries so that their metrics can be exported together. */
  final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
  final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
  private final ScheduledExecutorService reconnects;

  public Downstreams(List<ManagedChannel> recallShardChannels, ManagedChannel prerankChannel, ManagedChannel rankChannel,
      MixerOptions options) {
    for (int s = 0; s < recallShardChannels.size(); s++) {
      ManagedChannel c = recallShardChannels.get(s);
      recallShards.add(RecallServiceGrpc.newFutureStub(c).withInterceptors(RequestIds.client()));
      recallGuards.add(new Guard("recall_shard_" + s, options, breakers, bulkheads));
      channels.add(c);
    }
    // Every stage call carries the request id of the Recommend that made it (x-request-id).
    prerank = PrerankServiceGrpc.newBlockingStub(prerankChannel).withInterceptors(RequestIds.client());
    prerankGuard = new Guard("prerank", options, breakers, bulkheads);
    rank = RankServiceGrpc.newBlockingStub(rankChannel).withInterceptors(RequestIds.client());
    rankGuard = new Guard("rank", options, breakers, bulkheads);
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

  /** Every guard: recall shards in order, then prerank and rank. */
  List<Guard> guards() {
    List<Guard> all = new ArrayList<>(recallGuards);
    all.add(prerankGuard);
    all.add(rankGuard);
    return all;
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
