package io.rankingcluster.mixer;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.testing.TestWorlds;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.prerank.PrerankData;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.AnnConfig;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster for tests: N recall shards, prerank, rank and the mixer, each a real gRPC server
 * with the production lifecycle ({@link TestServer}), in-process or on loopback ports, over the
 * shared test world ({@link TestWorlds}). Each service serves its data from a {@link Versioned}
 * holder (grace {@link #GRACE}) that a test may swap, as a snapshot watcher would. Configurations
 * are built from flags ({@link Builder}), never mutated.
 */
final class TestCluster implements AutoCloseable {
  static final DemoWorld WORLD = TestWorlds.WORLD;
  static final Snapshot SNAPSHOT = TestWorlds.SNAPSHOT;
  static final Duration GRACE = Duration.ofMinutes(10);
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final List<TestServer> servers = new ArrayList<>();

  /** A channel to each server, in start order: recall shards, prerank, rank, mixer. */
  final List<ManagedChannel> channels = new ArrayList<>();

  final ManagedServer mixer;
  final ManagedChannel mixerChannel;
  final MixerConfig mixerOptions;
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

  /**
   * Each server's metrics, by server name (recall-0.., prerank, rank, mixer); {@link
   * Telemetry#scrape()} reads them.
   */
  final Map<String, Telemetry> telemetry = new HashMap<>();

  private final int shards;
  private final AnnConfig ann = AnnConfig.defaults();
  private final RecallConfig recall;
  private final ChannelRegistry registry;

  /**
   * The default cluster: {@code shards} recall shards, every setting at its default (generous
   * deadlines).
   */
  TestCluster(boolean loopback, int shards) throws IOException {
    this(builder().loopback(loopback).shards(shards));
  }

  static Builder builder() {
    return new Builder();
  }

  /**
   * Which cluster: transport, shard count, and flags for the mixer, its server, every server, the
   * recall shards.
   */
  static final class Builder {
    private boolean loopback;
    private int shards = 1;
    private String[] mixer = {};
    private String[] mixerServer = {};
    private String[] servers = {};
    private String[] recall = {};
    private ChannelRegistry registry = ChannelRegistry.standard();

    Builder loopback(boolean on) {
      loopback = on;
      return this;
    }

    Builder shards(int n) {
      shards = n;
      return this;
    }

    /** The mixer's own flags (MixerConfig), e.g. {@code "--breaker-window=6"}. */
    Builder mixer(String... flags) {
      mixer = flags;
      return this;
    }

    /** The mixer's server flags (ServerConfig), e.g. {@code "--max-concurrent-calls=2"}. */
    Builder mixerServer(String... flags) {
      mixerServer = flags;
      return this;
    }

    /** Server flags for every server, e.g. {@code "--access-log=all"}. */
    Builder servers(String... flags) {
      servers = flags;
      return this;
    }

    /** The recall shards run {@code channels} (as --channels) of {@code registry}. */
    Builder channels(ChannelRegistry registry, String channels) {
      this.registry = registry;
      this.recall = new String[] {"--channels=" + channels};
      return this;
    }

    TestCluster start() throws IOException {
      return new TestCluster(this);
    }
  }

  private TestCluster(Builder b) throws IOException {
    this.shards = b.shards;
    this.registry = b.registry;
    this.recall = RecallConfig.parse(b.recall);
    ServerConfig stageServer = ServerConfig.parse(concat(TestServer.GENEROUS, b.servers));
    List<ManagedChannel> shardChannels = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      recallData.add(new Versioned<>(SNAPSHOT.version(), shard(SNAPSHOT, s), GRACE));
      RecallServiceImpl impl =
          new RecallServiceImpl(recallData.get(s), recall, registry)
              .instrument(metrics("recall-" + s));
      recallFaults.add(new FaultInjector());
      shardChannels.add(
          start(b.loopback, "recall-" + s, impl, stageServer, recallFaults.get(s))
              .closeOnStop(impl::close)
              .channel());
    }
    prerankData = new Versioned<>(SNAPSHOT.version(), PrerankData.of(SNAPSHOT), GRACE);
    ManagedChannel prerank =
        start(
                b.loopback,
                "prerank",
                new PrerankServiceImpl(prerankData, new int[] {250, 110, 40}, 2000, 20000)
                    .instrument(metrics("prerank")),
                stageServer,
                prerankFaults)
            .channel();
    rankData =
        new Versioned<>(SNAPSHOT.version(), RankData.of(SNAPSHOT, ValueFormula.DEFAULT), GRACE);
    ManagedChannel rank =
        start(
                b.loopback,
                "rank",
                new RankServiceImpl(rankData, 2000).instrument(metrics("rank")),
                stageServer,
                rankFaults)
            .channel();
    mixerOptions = MixerConfig.parse(b.mixer);
    downstreams = new Downstreams(shardChannels, prerank, rank, mixerOptions);
    mixerData = new Versioned<>(SNAPSHOT.version(), MixerData.of(SNAPSHOT), GRACE);
    mixerImpl =
        new MixerServiceImpl(
                mixerData,
                downstreams,
                mixerOptions,
                new PageTokenCodec(Map.of(1, KEY), 1, 3_600_000L))
            .instrument(metrics("mixer"));
    TestServer m =
        start(
            b.loopback,
            "mixer",
            mixerImpl,
            ServerConfig.parse(concat(concat(TestServer.GENEROUS, b.servers), b.mixerServer)),
            new FaultInjector());
    mixerChannel = m.channel();
    mixer = m.server();
  }

  private TestServer start(
      boolean loopback,
      String name,
      BindableService service,
      ServerConfig config,
      FaultInjector faults)
      throws IOException {
    TestServer s =
        TestServer.start(
            name,
            loopback,
            config,
            telemetry.computeIfAbsent(name, Telemetry::create),
            faults,
            List.of(service));
    servers.add(s);
    channels.add(s.channel());
    return s;
  }

  private ShardData shard(Snapshot snapshot, int s) {
    return ShardData.of(snapshot, null, s, shards, ann, recall.selection(registry));
  }

  private StageMetrics metrics(String name) {
    return new StageMetrics(telemetry.computeIfAbsent(name, Telemetry::create));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * The in-process pipeline over the test snapshot, shaped like a cluster of {@code shards} default
   * shards: the same stage implementations the cluster serves, called directly; prerank or rank
   * answer UNAVAILABLE when not {@code up}.
   */
  static InProcessPipeline inProcess(
      int shards, MixerConfig options, boolean prerankUp, boolean rankUp) {
    Snapshot snap = SNAPSHOT;
    List<DirectStages.Call<RecallRequest, RecallResponse>> recall = new ArrayList<>();
    List<DirectStages.Call<GetEmbeddingsRequest, GetEmbeddingsResponse>> embeddings =
        new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      RecallServiceImpl impl =
          new RecallServiceImpl(
              Versioned.fixed(snap.version(), ShardData.of(snap, s, shards)),
              RecallConfig.defaults());
      recall.add(impl::recall);
      embeddings.add(impl::getEmbeddings);
    }
    PrerankServiceImpl prerank =
        new PrerankServiceImpl(snap, new int[] {250, 110, 40}, 2000, 20000);
    RankServiceImpl rank = new RankServiceImpl(snap, ValueFormula.DEFAULT, 2000);
    DirectStages.Call<PrerankRequest, PrerankResponse> p =
        prerankUp ? prerank::prerank : (req, out) -> out.onError(down());
    DirectStages.Call<RankRequest, RankResponse> r =
        rankUp ? rank::rank : (req, out) -> out.onError(down());
    return new InProcessPipeline(
        snap,
        new DirectStages(recall, embeddings, p, r, options),
        options,
        new PageTokenCodec(Map.of(1, KEY), 1, 3_600_000L));
  }

  /** As above, every stage up. */
  static InProcessPipeline inProcess(int shards, MixerConfig options) {
    return inProcess(shards, options, true, true);
  }

  private static RuntimeException down() {
    return Status.UNAVAILABLE.withDescription("down").asRuntimeException();
  }

  /**
   * The test snapshot's data under another version name: what a re-published snapshot looks like.
   */
  static Snapshot renamed(String version) {
    return TestWorlds.renamed(version);
  }

  /**
   * Swaps {@code snapshot} into every stage (recall shards, prerank, rank), as their watchers
   * would.
   */
  void swapStages(Snapshot snapshot) {
    for (int s = 0; s < shards; s++) {
      recallData.get(s).swap(snapshot.version(), shard(snapshot, s));
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

  @Override
  public void close() {
    for (int i = servers.size() - 1; i >= 0; i--) {
      servers.get(i).close();
    }
    downstreams.close();
    mixerImpl.close();
  }
}
