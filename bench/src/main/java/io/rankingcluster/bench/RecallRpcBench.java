package io.rankingcluster.bench;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.ChannelStats;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole Recall RPC under closed-loop load: one recall shard serving a snapshot on loopback,
 * callers sending real users' features (recent items, user vector, country), about 2,000 candidates
 * per answer. Reports latency percentiles (HdrHistogram), throughput, candidates per answer and
 * per-channel latency.
 */
@Command(
    name = "recall-bench",
    mixinStandardHelpOptions = true,
    description = "Closed-loop load on one recall shard.")
public final class RecallRpcBench implements Callable<Integer> {
  @Option(names = "--snapshot-root", required = true, description = "Snapshot root to serve.")
  Path root;

  @Option(
      names = "--requests",
      defaultValue = "3000",
      description = "Measured requests (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--warmup",
      defaultValue = "1000",
      description = "Unmeasured requests first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--callers",
      defaultValue = "1",
      description = "Concurrent callers (default: ${DEFAULT-VALUE}).")
  int callers;

  @Option(
      names = "--deadline-ms",
      defaultValue = "50",
      description = "Deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RecallRpcBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Snapshot s = SnapshotReader.readCurrent(root);
    long t0 = System.nanoTime();
    ShardData shard = ShardData.of(s, 0, 1);
    System.out.printf(
        Locale.ROOT,
        "snapshot %s: %d items, shard data built in %.1f s%n",
        s.version(),
        s.catalog().size(),
        (System.nanoTime() - t0) / 1e9);
    RecallConfig limits = RecallConfig.defaults();
    RecallServiceImpl impl = new RecallServiceImpl(shard, limits);
    ServerConfig options = ServerConfig.defaults();
    ManagedServer server =
        new ManagedServer(
                "recall-bench",
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                options,
                List.<BindableService>of(impl))
            .start(() -> {});
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      RecallRequest[] pool = requests(s, 2000);
      run(channel, pool, warmup, null, null);
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      long[] stats = new long[3];
      long start = System.nanoTime();
      run(channel, pool, requests, h, stats);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%d requests, %d callers, %.0f requests/s; latency ms p50 %.2f p90 %.2f p99 %.2f p99.9"
              + " %.2f max %.2f; candidates per answer %.0f; failed channels %d; errors %d%n",
          requests,
          callers,
          requests / seconds,
          h.getValueAtPercentile(50) / 1e6,
          h.getValueAtPercentile(90) / 1e6,
          h.getValueAtPercentile(99) / 1e6,
          h.getValueAtPercentile(99.9) / 1e6,
          h.getMaxValue() / 1e6,
          stats[0] / (double) Math.max(1, requests - stats[2]),
          stats[1],
          stats[2]);
      RecallResponse one =
          RecallServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .recall(pool[0]);
      for (ChannelStats c : one.getChannelStatsList()) {
        System.out.printf(
            Locale.ROOT,
            "  channel %-28s %5d candidates %7.3f ms %s%n",
            c.getChannel(),
            c.getCandidates(),
            c.getLatencyMs(),
            c.getFailure());
      }
    } finally {
      channel.shutdownNow();
      server.stop();
      impl.close();
    }
    return 0;
  }

  /** Requests for a sample of real users: their recent items, their vector and their country. */
  static RecallRequest[] requests(Snapshot s, int n) {
    UserProfiles users = s.users();
    SplittableRandom rnd = new SplittableRandom(7);
    RecallRequest[] out = new RecallRequest[n];
    for (int i = 0; i < n; i++) {
      int u = rnd.nextInt(users.size());
      UserFeatures.Builder f = UserFeatures.newBuilder();
      for (long id : users.recentItems(u)) {
        f.addRecentItemIds(id);
      }
      var uv = s.userVectors();
      for (int k = 0; k < uv.dimension(); k++) {
        f.addUserVector(uv.data()[uv.offset(u) + k]);
      }
      var aff = UserProfiles.affinities(users.recentItems(u), s.catalog());
      for (int k = 0; k < aff.categories().length; k++) {
        f.addAffinityCategoryIds(aff.categories()[k]).addAffinityWeights(aff.weights()[k]);
      }
      out[i] =
          RecallRequest.newBuilder()
              .setContext(
                  RequestContext.newBuilder()
                      .setUserId(users.userId(u))
                      .setCountry(
                          io.rankingcluster.core.catalog.Catalog.COUNTRIES[users.country(u)]))
              .setUser(f)
              .build();
    }
    return out;
  }

  private void run(
      ManagedChannel channel, RecallRequest[] pool, int count, Histogram h, long[] stats)
      throws InterruptedException {
    AtomicLong next = new AtomicLong();
    Thread[] threads = new Thread[callers];
    for (int t = 0; t < callers; t++) {
      threads[t] =
          new Thread(
              () -> {
                var stub = RecallServiceGrpc.newBlockingStub(channel);
                long i;
                while ((i = next.getAndIncrement()) < count) {
                  long begin = System.nanoTime();
                  try {
                    RecallResponse r =
                        stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                            .recall(pool[(int) (i % pool.length)]);
                    long took = System.nanoTime() - begin;
                    if (h != null) {
                      synchronized (h) {
                        h.recordValue(Math.min(took, h.getHighestTrackableValue()));
                        stats[0] += r.getCandidates().getItemIdsCount();
                        for (ChannelStats c : r.getChannelStatsList()) {
                          stats[1] += c.getFailure().isEmpty() ? 0 : 1;
                        }
                      }
                    }
                  } catch (RuntimeException e) {
                    if (stats != null) {
                      synchronized (h) {
                        stats[2]++;
                      }
                    }
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }
}
