package io.rankingcluster.mixer;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerOptions;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.world.DemoWorld;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.RecallLimits;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.ImplicitAls;
import io.rankingcluster.offline.ItemToItemBuilder;
import io.rankingcluster.offline.SnapshotBuilder;
import io.rankingcluster.offline.Steps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster for tests: N recall shards, prerank, rank and the mixer, each a real gRPC server with
 * the production lifecycle, either in-process or on loopback Netty ports.
 */
final class TestCluster implements AutoCloseable {
  static final DemoWorld WORLD = DemoWorld.generate(new DemoWorld.Spec(7, 4000, 600, 60));
  /** The world as the services see it: a snapshot with small embeddings (quick to train in tests). */
  static final Snapshot SNAPSHOT = SnapshotBuilder.build(WORLD, "test-v1",
      new ImplicitAls.Config(16, 4, 3, 10f, 1f, 7, 2), ItemToItemBuilder.Config.DEFAULT, new Steps(new java.io.PrintStream(
          java.io.OutputStream.nullOutputStream())));
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  final List<ManagedServer> servers = new ArrayList<>();
  final List<ManagedChannel> channels = new ArrayList<>();
  final ManagedServer mixer;
  final ManagedChannel mixerChannel;
  final MixerOptions mixerOptions;
  private final boolean loopback;
  private final String prefix = "test-" + System.nanoTime() + "-";

  TestCluster(boolean loopback, int shards) throws IOException {
    this.loopback = loopback;
    ServerOptions serverOptions = ServiceMain.defaults(new ServerOptions());
    serverOptions.defaultDeadlineMs = 5_000; // generous: the machine is shared and noisy
    RecallLimits limits = ServiceMain.defaults(new RecallLimits());
    List<ManagedChannel> shardChannels = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      RecallServiceImpl recall = new RecallServiceImpl(ShardData.of(SNAPSHOT, s, shards), limits);
      shardChannels.add(start("recall-" + s, recall, serverOptions));
    }
    ManagedChannel prerank = start("prerank", new PrerankServiceImpl(SNAPSHOT, new int[] {250, 110, 40}, 2000, 20000),
        serverOptions);
    ManagedChannel rank = start("rank", new RankServiceImpl(SNAPSHOT, ValueFormula.DEFAULT, 2000), serverOptions);
    mixerOptions = ServiceMain.defaults(new MixerOptions());
    PageTokenCodec tokens = new PageTokenCodec(Map.of(1, KEY), 1, 3_600_000L);
    Downstreams downstreams = new Downstreams(shardChannels, prerank, rank);
    MixerServiceImpl impl = new MixerServiceImpl(SNAPSHOT, downstreams, mixerOptions, tokens);
    mixerChannel = start("mixer", impl, serverOptions);
    mixer = servers.get(servers.size() - 1);
  }

  MixerServiceGrpc.MixerServiceBlockingStub mixerStub() {
    return MixerServiceGrpc.newBlockingStub(mixerChannel);
  }

  private ManagedChannel start(String name, BindableService service, ServerOptions options) throws IOException {
    ServerBuilder<?> builder = loopback
        ? NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        : InProcessServerBuilder.forName(prefix + name);
    ManagedServer server = new ManagedServer(name, builder, options, List.of(service)).start(() -> {});
    servers.add(server);
    ManagedChannel channel = loopback
        ? NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build()
        : InProcessChannelBuilder.forName(prefix + name).build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedServer s : servers) {
      s.stop();
    }
  }
}
