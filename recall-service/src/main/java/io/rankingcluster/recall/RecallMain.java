package io.rankingcluster.recall;

import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.ServiceCommand;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.ServiceSpec;
import io.rankingcluster.common.server.SnapshotConfig;
import io.rankingcluster.common.server.StandardPorts;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** recall-service: serves one shard of the catalog. */
@Command(
    name = "recall-service",
    mixinStandardHelpOptions = true,
    description = "Recall: multi-channel candidate generation over one shard of the catalog.")
public final class RecallMain extends ServiceCommand {

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

  @Mixin RecallLimits limits;
  @Mixin AnnOptions ann;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("RECALL", new RecallMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig serverConfig = stageServer(StandardPorts.RECALL);
    SnapshotConfig snapshots = data.config();
    RecallConfig recall = limits.config();
    AnnConfig annConfig = ann.config();
    Validation.require(
        shardCount >= 1 && shardCount <= 4096,
        "--shard-count must be in [1, 4096], was " + shardCount);
    Validation.require(
        shardIndex >= 0 && shardIndex < shardCount,
        "--shard-index must be in [0, --shard-count=" + shardCount + "), was " + shardIndex);
    ChannelRegistry registry = ChannelRegistry.standard();
    List<ChannelRegistry.Selected> channels = recall.selection(registry);
    recall.shares(registry); // an unknown name in --channel-shares stops the start too
    int index = shardIndex;
    int count = shardCount;
    // Each version's ANN index is cached beside that version (or in --ann-index-cache-dir), per
    // shard.
    return ServiceMain.run(
        new ServiceSpec<>(
            "recall-service",
            serverConfig,
            snapshots,
            s ->
                ShardData.of(
                    s, snapshots.root().resolve(s.version()), index, count, annConfig, channels),
            loaded -> {
              RecallServiceImpl impl =
                  new RecallServiceImpl(loaded.versioned(), recall, registry)
                      .instrument(new StageMetrics(loaded.telemetry()));
              return new ServiceSpec.Parts(
                  impl,
                  null,
                  loaded.warmUp(RecallServiceGrpc.getRecallMethod(), impl::warmUpRequest),
                  List.of(impl::close));
            }));
  }
}
