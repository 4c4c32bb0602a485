package io.rankingcluster.recall;

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
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** recall-service: serves one shard of the catalog. */
@Command(
    name = "recall-service",
    mixinStandardHelpOptions = true,
    description = "Recall: multi-channel candidate generation over one shard of the catalog.")
public final class RecallMain implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "9091",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--shard-index",
      defaultValue = "0",
      description = "This shard's index (default: ${DEFAULT-VALUE}).")
  int shardIndex;

  @Option(
      names = "--shard-count",
      defaultValue = "1",
      description = "Number of shards (default: ${DEFAULT-VALUE}).")
  int shardCount;

  @Mixin ServerOptions server;
  @Mixin SnapshotOptions data;
  @Mixin RecallLimits limits;
  @Mixin AnnOptions ann;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("RECALL", new RecallMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    server.validate();
    ServiceMain.configureLogging("recall-service", server);
    data.validate();
    limits.validate();
    ann.validate();
    Validation.require(port > 0 && port < 65536, "--port must be in [1, 65535], was " + port);
    Validation.require(
        shardCount >= 1 && shardCount <= 4096,
        "--shard-count must be in [1, 4096], was " + shardCount);
    Validation.require(
        shardIndex >= 0 && shardIndex < shardCount,
        "--shard-index must be in [0, --shard-count=" + shardCount + "), was " + shardIndex);
    List<io.rankingcluster.core.recall.ChannelRegistry.Selected> channels =
        limits.selection(io.rankingcluster.core.recall.ChannelRegistry.standard());
    int index = shardIndex;
    int count = shardCount;
    // Each version's ANN index is cached beside that version (or in --ann-index-cache-dir), per
    // shard.
    SnapshotWatcher<ShardData> watcher =
        data.watcher(
            "recall-service",
            s -> ShardData.of(s, data.root.resolve(s.version()), index, count, ann, channels));
    Telemetry telemetry = Telemetry.create("recall-service");
    watcher.instrument(telemetry);
    RecallServiceImpl impl =
        new RecallServiceImpl(watcher.versioned(), limits).instrument(new StageMetrics(telemetry));
    FaultInjector faults = server.faultInjector();
    AdminServiceImpl admin = new AdminServiceImpl(watcher, faults, null);
    ManagedServer managed =
        new ManagedServer(
                "recall-service",
                ServiceMain.serverBuilder(server, port),
                server,
                List.<BindableService>of(impl, admin),
                telemetry,
                faults)
            .closeOnStop(watcher);
    managed.start(
        () ->
            managed.warmUpCalls(
                RecallServiceGrpc.getRecallMethod(),
                server.warmupRequests,
                i ->
                    impl.warmUpRequest(
                        watcher.initial().users(), watcher.initial().userVectors(), i)));
    ServiceMain.serveMetrics(managed, server);
    ServiceMain.serveHealthPort(managed, server);
    watcher.start();
    try {
      ServiceMain.serveUntilShutdown(managed);
    } finally {
      impl.close();
    }
    return 0;
  }
}
