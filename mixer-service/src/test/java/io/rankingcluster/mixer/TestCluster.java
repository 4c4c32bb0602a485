package io.rankingcluster.mixer;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerOptions;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.ImplicitAls;
import io.rankingcluster.offline.ItemToItemBuilder;
import io.rankingcluster.offline.ModelTraining;
import io.rankingcluster.offline.SnapshotBuilder;
import io.rankingcluster.offline.Steps;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.prerank.PrerankData;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.RecallLimits;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster for tests: N recall shards, prerank, rank and the mixer, each a real gRPC server
 * with the production lifecycle, either in-process or on loopback Netty ports. Each service serves
 * its data from a {@link Versioned} holder (grace {@link #GRACE}) that a test may swap, as a
 * snapshot watcher would.
 */
final class TestCluster implements AutoCloseable {
  static final DemoWorld WORLD = DemoWorld.generate(new DemoWorld.Spec(7, 4000, 600, 60));

  /**
   * The world as the services see it: a snapshot with small embeddings (quick to train in tests).
   */
  static final Snapshot SNAPSHOT =
      SnapshotBuilder.build(
          WORLD,
          "test-v1",
          new ImplicitAls.Config(16, 4, 3, 10f, 1f, 7, 2),
          ItemToItemBuilder.Config.DEFAULT,
          new ModelTraining.Config(
              14, 22, 24, 100_000, 30_000, new ImplicitAls.Config(16, 4, 3, 10f, 1f, 7, 2), 1, 7),
          true,
          new Steps(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));

  static final Duration GRACE = Duration.ofMinutes(10);
  static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  final List<ManagedServer> servers = new ArrayList<>();
  final List<ManagedChannel> channels = new ArrayList<>();
  final ManagedServer mixer;
  final ManagedChannel mixerChannel;
  final MixerOptions mixerOptions;
  final List<Versioned<ShardData>> recallData = new ArrayList<>();
  final Versioned<PrerankData> prerankData;
  final Versioned<RankData> rankData;
  final Versioned<MixerData> mixerData;

  /**
   * Fault injection per stage (no rules: calls pass untouched): recall shards in order, prerank,
   * rank.
   */
  final List<FaultInjector> recallFaults = new ArrayList<>();

  final FaultInjector prerankFaults = new FaultInjector();
  final FaultInjector rankFaults = new FaultInjector();
  final Downstreams downstreams;
  final MixerServiceImpl mixerImpl;
  private final int shards;
  private final boolean loopback;
  private final String prefix = "test-" + System.nanoTime() + "-";

  TestCluster(boolean loopback, int shards) throws IOException {
    this(loopback, shards, options -> {});
  }

  /** With the mixer's options adjusted before it starts (for example experiment arms). */
  TestCluster(boolean loopback, int shards, java.util.function.Consumer<MixerOptions> mixerSettings)
      throws IOException {
    this(loopback, shards, mixerSettings, server -> {});
  }

  /**
   * With the mixer's options and its server's options (for example its concurrency limit) adjusted.
   */
  TestCluster(
      boolean loopback,
      int shards,
      java.util.function.Consumer<MixerOptions> mixerSettings,
      java.util.function.Consumer<ServerOptions> mixerServerSettings)
      throws IOException {
    this(loopback, shards, mixerSettings, mixerServerSettings, all -> {});
  }

  /** As above, with every server's options adjusted too (for example the access log). */
  TestCluster(
      boolean loopback,
      int shards,
      java.util.function.Consumer<MixerOptions> mixerSettings,
      java.util.function.Consumer<ServerOptions> mixerServerSettings,
      java.util.function.Consumer<ServerOptions> allServers)
      throws IOException {
    this(
        loopback,
        shards,
        mixerSettings,
        mixerServerSettings,
        allServers,
        ChannelRegistry.standard(),
        ServiceMain.defaults(new RecallLimits()).channels);
  }

  /** With the recall shards running {@code channels} (as --channels) of {@code registry}. */
  TestCluster(boolean loopback, int shards, ChannelRegistry registry, String channels)
      throws IOException {
    this(loopback, shards, o -> {}, s -> {}, s -> {}, registry, channels);
  }

  private TestCluster(
      boolean loopback,
      int shards,
      java.util.function.Consumer<MixerOptions> mixerSettings,
      java.util.function.Consumer<ServerOptions> mixerServerSettings,
      java.util.function.Consumer<ServerOptions> allServers,
      ChannelRegistry registry,
      String channels)
      throws IOException {
    this.loopback = loopback;
    this.shards = shards;
    ServerOptions serverOptions = ServiceMain.defaults(new ServerOptions());
    serverOptions.defaultDeadlineMs = 5_000; // generous: the machine is shared and noisy
    allServers.accept(serverOptions);
    RecallLimits limits = ServiceMain.defaults(new RecallLimits());
    limits.channels = channels;
    limits.validate(registry);
    List<ManagedChannel> shardChannels = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      recallData.add(
          new Versioned<>(
              SNAPSHOT.version(),
              ShardData.of(
                  SNAPSHOT,
                  null,
                  s,
                  shards,
                  ServiceMain.defaults(new io.rankingcluster.recall.AnnOptions()),
                  limits.selection(registry)),
              GRACE));
      RecallServiceImpl recall =
          new RecallServiceImpl(recallData.get(s), limits, registry)
              .instrument(metrics("recall-" + s));
      recallFaults.add(new FaultInjector());
      shardChannels.add(start("recall-" + s, faulty(recall, recallFaults.get(s)), serverOptions));
    }
    prerankData = new Versioned<>(SNAPSHOT.version(), PrerankData.of(SNAPSHOT), GRACE);
    ManagedChannel prerank =
        start(
            "prerank",
            faulty(
                new PrerankServiceImpl(prerankData, new int[] {250, 110, 40}, 2000, 20000)
                    .instrument(metrics("prerank")),
                prerankFaults),
            serverOptions);
    rankData =
        new Versioned<>(SNAPSHOT.version(), RankData.of(SNAPSHOT, ValueFormula.DEFAULT), GRACE);
    ManagedChannel rank =
        start(
            "rank",
            faulty(new RankServiceImpl(rankData, 2000).instrument(metrics("rank")), rankFaults),
            serverOptions);
    mixerOptions = ServiceMain.defaults(new MixerOptions());
    mixerSettings.accept(mixerOptions);
    PageTokenCodec tokens = new PageTokenCodec(Map.of(1, KEY), 1, 3_600_000L);
    downstreams = new Downstreams(shardChannels, prerank, rank, mixerOptions);
    mixerData = new Versioned<>(SNAPSHOT.version(), MixerData.of(SNAPSHOT), GRACE);
    mixerImpl =
        new MixerServiceImpl(mixerData, downstreams, mixerOptions, tokens)
            .instrument(metrics("mixer"));
    MixerServiceImpl impl = mixerImpl;
    ServerOptions mixerServer = ServiceMain.defaults(new ServerOptions());
    mixerServer.defaultDeadlineMs = serverOptions.defaultDeadlineMs;
    allServers.accept(mixerServer);
    mixerServerSettings.accept(mixerServer);
    mixerChannel = start("mixer", impl, mixerServer);
    mixer = servers.get(servers.size() - 1);
  }

  private static BindableService faulty(BindableService service, FaultInjector faults) {
    io.grpc.ServerServiceDefinition def = io.grpc.ServerInterceptors.intercept(service, faults);
    return () -> def;
  }

  /**
   * Each server's metrics, by server name (recall-0.., prerank, rank, mixer); {@link
   * Telemetry#scrape()} reads them.
   */
  final Map<String, Telemetry> telemetry = new java.util.HashMap<>();

  private StageMetrics metrics(String name) {
    return new StageMetrics(telemetry.computeIfAbsent(name, Telemetry::create));
  }

  /**
   * The test snapshot's data under another version name: what a re-published snapshot looks like.
   */
  static Snapshot renamed(String version) {
    Snapshot s = SNAPSHOT;
    return new Snapshot(
        version,
        s.categories(),
        s.catalog(),
        s.users(),
        s.itemEmbeddings(),
        s.userVectors(),
        s.itemNeighbours(),
        s.models(),
        s.modelVersions(),
        s.provenance());
  }

  /**
   * Swaps {@code snapshot} into every stage (recall shards, prerank, rank), as their watchers
   * would.
   */
  void swapStages(Snapshot snapshot) {
    for (int s = 0; s < shards; s++) {
      recallData.get(s).swap(snapshot.version(), ShardData.of(snapshot, s, shards));
    }
    prerankData.swap(snapshot.version(), PrerankData.of(snapshot));
    rankData.swap(snapshot.version(), RankData.of(snapshot, ValueFormula.DEFAULT));
  }

  /** Swaps {@code snapshot} into the mixer, as its watcher would. */
  void swapMixer(Snapshot snapshot) {
    mixerData.swap(snapshot.version(), MixerData.of(snapshot));
  }

  MixerServiceGrpc.MixerServiceBlockingStub mixerStub() {
    return MixerServiceGrpc.newBlockingStub(mixerChannel);
  }

  private ManagedChannel start(String name, BindableService service, ServerOptions options)
      throws IOException {
    ServerBuilder<?> builder =
        loopback
            ? NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            : InProcessServerBuilder.forName(prefix + name);
    ManagedServer server =
        new ManagedServer(name, builder, options, List.of(service), telemetry.get(name))
            .start(() -> {});
    servers.add(server);
    ManagedChannel channel =
        loopback
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
    downstreams.close();
    mixerImpl.close();
  }
}
