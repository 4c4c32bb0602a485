package io.rankingcluster.mixer;

import io.grpc.BindableService;
import io.rankingcluster.common.admin.AdminServiceImpl;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerOptions;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.SnapshotOptions;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.proto.v1.RecommendRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** mixer-service: the public Recommend API. */
@Command(
    name = "mixer-service",
    mixinStandardHelpOptions = true,
    description = "Mixer: chains recall, prerank and rank under one deadline and blends one page.")
public final class MixerMain implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(MixerMain.class.getName());

  @Option(
      names = "--port",
      defaultValue = "9090",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Mixin ServerOptions server;
  @Mixin SnapshotOptions data;
  @Mixin MixerOptions mixer;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("MIXER", new MixerMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    server.validate();
    ServiceMain.configureLogging("mixer-service", server);
    data.validate();
    mixer.validate();
    Validation.require(port > 0 && port < 65536, "--port must be in [1, 65535], was " + port);
    PageTokenCodec tokens = tokenCodec(mixer);
    SnapshotWatcher<MixerData> watcher = data.watcher("mixer-service", MixerData::of);
    Downstreams downstreams = Downstreams.open(mixer);
    Telemetry telemetry = Telemetry.create("mixer-service");
    watcher.instrument(telemetry);
    MixerServiceImpl impl =
        new MixerServiceImpl(watcher.versioned(), downstreams, mixer, tokens)
            .instrument(new StageMetrics(telemetry));
    // A Recommend holds its request thread while the stages work: beyond about two per thread,
    // calls would wait
    // in the queue until their deadline instead of being refused at once (measured under 3x
    // overload).
    server.serviceDefaultMaxConcurrentCalls = 2 * server.effectiveThreads();
    // ... and below that ceiling the limit follows latency: a Recommend slower than half of its
    // deadline is
    // queueing for the CPU behind others, so fewer are admitted until answers are fast again. (A
    // quarter also
    // counted the calls that waited out a slow shard's budget, and refused calls when a shard, not
    // the CPU, was slow.)
    server.serviceDefaultAdaptiveLatencyShare = 0.5;
    FaultInjector faults = server.faultInjector();
    AdminServiceImpl admin = new AdminServiceImpl(watcher, faults, impl::reloadConfig);
    ManagedServer managed =
        new ManagedServer(
                "mixer-service",
                ServiceMain.serverBuilder(server, port),
                server,
                List.<BindableService>of(impl, admin),
                telemetry,
                faults)
            .closeOnStop(watcher)
            .closeOnStop(impl);
    managed.start(() -> warmUp(managed, server.warmupRequests, watcher.initial().users()));
    ServiceMain.serveMetrics(managed, server);
    ServiceMain.serveHealthPort(managed, server);
    watcher.start();
    try {
      ServiceMain.serveUntilShutdown(managed);
    } finally {
      downstreams.close();
    }
    return 0;
  }

  static PageTokenCodec tokenCodec(MixerOptions mixer) {
    Map<Integer, byte[]> keys = mixer.pageTokenKeyMap();
    int keyId = mixer.pageTokenKeyId;
    if (keys.isEmpty()) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      keys = Map.of(keyId, key);
      LOG.warning(
          "no --page-token-keys given: signing page tokens with a random per-process key; tokens"
              + " will not survive a restart or work across replicas");
    }
    return new PageTokenCodec(keys, keyId, TimeUnit.SECONDS.toMillis(mixer.pageTokenTtlSeconds));
  }

  /**
   * Pushes {@code n} Recommend calls for known users through the whole chain before SERVING (over
   * the warm-up port, see {@link ManagedServer#warmUpCalls}), so that the first real requests find
   * connections open and code compiled. Failures are logged; the mixer still starts (its answers
   * will say degraded).
   */
  static void warmUp(ManagedServer managed, int n, io.rankingcluster.core.user.UserProfiles users) {
    managed.warmUpCalls(
        io.rankingcluster.proto.v1.MixerServiceGrpc.getRecommendMethod(),
        n,
        i ->
            RecommendRequest.newBuilder()
                .setContext(io.rankingcluster.common.mapping.WarmUpRequests.context(users, i))
                .build());
  }
}
