package io.rankingcluster.mixer;

import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.ServiceCommand;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.ServiceSpec;
import io.rankingcluster.common.server.StandardPorts;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** mixer-service: the public Recommend API. */
@Command(
    name = "mixer-service",
    mixinStandardHelpOptions = true,
    description = "Mixer: chains recall, prerank and rank under one deadline and blends one page.")
public final class MixerMain extends ServiceCommand {
  private static final Logger LOG = Logger.getLogger(MixerMain.class.getName());

  @Mixin MixerOptions mixer;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("MIXER", new MixerMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig base = server.config();
    // A Recommend holds its request thread while the stages work, so calls beyond the threads wait
    // in the queue. The ceiling is four calls per thread: at two, an open-loop 200/s on the default
    // world was refused 0.5% of its calls in bursts while its p99 was 37 ms (docs/benchmarks.md);
    // a queue of four per thread waits a few stage times, well inside a deadline. Below the ceiling
    // the limit follows latency: a Recommend slower than half of its deadline is queueing for the
    // CPU behind others, so fewer are admitted until answers are fast again; and before that the
    // quality factor makes each call cheaper (decision 0016).
    ServerConfig serverConfig =
        base.withServiceDefaults(StandardPorts.MIXER, 4 * base.effectiveThreads(), 0.5);
    MixerConfig config = mixer.config();
    PageTokenCodec tokens = tokenCodec(config);
    return ServiceMain.run(
        new ServiceSpec<>(
            "mixer-service",
            serverConfig,
            data.config(),
            MixerData::of,
            loaded -> {
              Downstreams downstreams = Downstreams.open(config);
              MixerServiceImpl impl =
                  new MixerServiceImpl(loaded.versioned(), downstreams, config, tokens)
                      .instrument(new StageMetrics(loaded.telemetry()));
              return new ServiceSpec.Parts(
                  impl,
                  impl::reloadConfig,
                  loaded.warmUp(MixerServiceGrpc.getRecommendMethod(), MixerMain::warmUpRequest),
                  List.of(impl, downstreams));
            }));
  }

  static PageTokenCodec tokenCodec(MixerConfig mixer) {
    Map<Integer, byte[]> keys = mixer.pageTokenKeyMap();
    int keyId = mixer.pageTokenKeyId();
    if (keys.isEmpty()) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      keys = Map.of(keyId, key);
      LOG.warning(
          "no --page-token-keys given: signing page tokens with a random per-process key; tokens"
              + " will not survive a restart or work across replicas");
    }
    return new PageTokenCodec(keys, keyId, TimeUnit.SECONDS.toMillis(mixer.pageTokenTtlSeconds()));
  }

  /**
   * Warm-up Recommend {@code i} for a known user: it goes through the whole chain before SERVING
   * (over the warm-up port, see {@link ManagedServer#warmUpCalls}), so that the first real requests
   * find connections open and code compiled. Failures are logged; the mixer still starts (its
   * answers will say degraded).
   */
  static RecommendRequest warmUpRequest(
      io.rankingcluster.core.user.UserProfiles users,
      io.rankingcluster.core.embed.Embeddings vectors,
      int i) {
    return RecommendRequest.newBuilder()
        .setContext(io.rankingcluster.common.mapping.WarmUpRequests.context(users, i))
        .build();
  }
}
