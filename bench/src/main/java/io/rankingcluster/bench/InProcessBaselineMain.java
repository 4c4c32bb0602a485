package io.rankingcluster.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.mixer.InProcessPipeline;
import io.rankingcluster.mixer.MixerConfig;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code in-process-baseline}: the same Recommend calls through the in-process pipeline (the
 * mixer's code over the stage implementations called directly) and through the running cluster over
 * gRPC, one caller each, on the same snapshot; checks that both give the same pages, and reports
 * both latency distributions and their ratio: the measured cost of distribution.
 */
@Command(
    name = "in-process-baseline",
    mixinStandardHelpOptions = true,
    description =
        "Recommend in process vs over gRPC on the same snapshot: identical pages, latency ratio.")
public final class InProcessBaselineMain implements Callable<Integer> {
  @Option(
      names = "--snapshot-root",
      required = true,
      description = "The snapshot root the cluster serves.")
  Path root;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:9090",
      description = "The cluster's mixer (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--requests",
      defaultValue = "2000",
      description = "Measured requests per path (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--warmup",
      defaultValue = "500",
      description = "Warm-up requests per path (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--compare-users",
      defaultValue = "100",
      description = "Users whose pages are compared (default: ${DEFAULT-VALUE}).")
  int compareUsers;

  @Option(
      names = "--blend-config",
      defaultValue = "config/blend.json",
      description =
          "The blend rules the cluster's mixer runs with (./cluster passes config/blend.json);"
              + " empty: the flags' defaults (default: ${DEFAULT-VALUE}).")
  String blendConfig;

  @Option(
      names = "--deadline-ms",
      defaultValue = "1000",
      description = "Deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InProcessBaselineMain()).execute(args));
  }

  static RecommendRequest request(int i, int users) {
    // A fixed client time, so that both paths see the same live streams and freshness.
    return RecommendRequest.newBuilder()
        .setPageSize(20)
        .setContext(
            RequestContext.newBuilder()
                .setUserId(Integer.toString(1 + (int) ((i * 2_654_435_761L) % users)))
                .setClientTimeMs(1_767_225_600_000L))
        .build();
  }

  static List<String> page(RecommendResponse r) {
    List<String> out = new ArrayList<>();
    for (FeedItem it : r.getItemsList()) {
      out.add(it.getItemId() + "/" + it.getPlacementRule());
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    Snapshot snap = SnapshotReader.readCurrent(root);
    int users = snap.users().size();
    // The same rules as the cluster's mixer, or the pages cannot match.
    MixerConfig options = MixerConfig.parse("--blend-config=" + blendConfig);
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    try (InProcessPipeline direct =
        Pipelines.inProcess(snap, 1, options, Pipelines.Ablation.FULL)) {
      MixerServiceGrpc.MixerServiceBlockingStub grpc = MixerServiceGrpc.newBlockingStub(channel);
      int same = 0;
      for (int i = 0; i < compareUsers; i++) {
        RecommendRequest req = request(i, users);
        List<String> a = page(direct.recommend(req, 10_000));
        List<String> b = page(grpc.withDeadlineAfter(10, TimeUnit.SECONDS).recommend(req));
        if (a.equals(b)) {
          same++;
        } else {
          System.out.printf(
              "user %s differs:%n  in process %s%n  gRPC       %s%n",
              req.getContext().getUserId(), a, b);
        }
      }
      System.out.printf("identical pages: %d of %d users%n", same, compareUsers);
      Histogram inProcess = run("in process", i -> direct.recommend(request(i, users), deadlineMs));
      Histogram overGrpc =
          run(
              "over gRPC",
              i ->
                  grpc.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                      .recommend(request(i, users)));
      System.out.printf("%-12s %9s %9s %9s %9s%n", "path", "p50 ms", "p90 ms", "p99 ms", "mean ms");
      for (Object[] row : new Object[][] {{"in process", inProcess}, {"over gRPC", overGrpc}}) {
        Histogram h = (Histogram) row[1];
        System.out.printf(
            "%-12s %9.2f %9.2f %9.2f %9.2f%n",
            row[0],
            h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(90) / 1e3,
            h.getValueAtPercentile(99) / 1e3,
            h.getMean() / 1e3);
      }
      System.out.printf(
          "cost of distribution (gRPC / in process): p50 %.2fx, p99 %.2fx, mean %.2fx%n",
          (double) overGrpc.getValueAtPercentile(50) / inProcess.getValueAtPercentile(50),
          (double) overGrpc.getValueAtPercentile(99) / inProcess.getValueAtPercentile(99),
          overGrpc.getMean() / inProcess.getMean());
      return same == compareUsers ? 0 : 1;
    } finally {
      channel.shutdownNow();
    }
  }

  private Histogram run(String name, java.util.function.IntConsumer call) {
    for (int i = 0; i < warmup; i++) {
      call.accept(1_000_000 + i);
    }
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
    for (int i = 0; i < requests; i++) {
      long t0 = System.nanoTime();
      call.accept(i);
      h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
    }
    System.out.printf("%s: %d requests%n", name, requests);
    return h;
  }
}
