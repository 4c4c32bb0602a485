package io.rankingcluster.mixer;

import io.grpc.ManagedChannel;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The channels to the stages: one per recall shard (in shard order), one to prerank, one to rank. Built
 * from outside (Netty in production, in-process in tests); closed with the mixer.
 */
public final class Downstreams implements AutoCloseable {
  final List<RecallServiceGrpc.RecallServiceFutureStub> recallShards = new ArrayList<>();
  final PrerankServiceGrpc.PrerankServiceBlockingStub prerank;
  final RankServiceGrpc.RankServiceBlockingStub rank;
  private final List<ManagedChannel> channels = new ArrayList<>();

  public Downstreams(List<ManagedChannel> recallShardChannels, ManagedChannel prerankChannel, ManagedChannel rankChannel) {
    for (ManagedChannel c : recallShardChannels) {
      recallShards.add(RecallServiceGrpc.newFutureStub(c));
      channels.add(c);
    }
    prerank = PrerankServiceGrpc.newBlockingStub(prerankChannel);
    rank = RankServiceGrpc.newBlockingStub(rankChannel);
    channels.add(prerankChannel);
    channels.add(rankChannel);
  }

  @Override
  public void close() {
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
