package io.rankingcluster.rank;

import io.grpc.BindableService;
import io.rankingcluster.common.server.SnapshotOptions;
import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.admin.AdminServiceImpl;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerOptions;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.core.score.ValueFormula;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** rank-service: the multi-task ranker and value formula. */
@Command(name = "rank-service", mixinStandardHelpOptions = true,
    description = "Rank: click, conversion and watch-time heads per candidate, combined into one value per impression.")
public final class RankMain implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9093", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--max-candidates", defaultValue = "2000", description = "Most candidates per request (default: ${DEFAULT-VALUE}).")
  int maxCandidates;

  @Option(names = "--value-per-watch-second", defaultValue = "0.02",
      description = "Value formula: currency units per expected watched second (default: ${DEFAULT-VALUE}).")
  float valuePerWatchSecond;

  @Option(names = "--commerce-weight", defaultValue = "1.0",
      description = "Value formula: weight of purchases made through a video (default: ${DEFAULT-VALUE}).")
  float commerceWeight;

  @Option(names = "--live-order-value", defaultValue = "25",
      description = "Value formula: currency value of a purchase in a live stream (default: ${DEFAULT-VALUE}).")
  float liveOrderValue;

  @Mixin ServerOptions server;
  @Mixin SnapshotOptions data;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("RANK", new RankMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    server.validate();
    ServiceMain.configureLogging("rank-service", server);
    data.validate();
    Validation.require(port > 0 && port < 65536, "--port must be in [1, 65535], was " + port);
    Validation.require(maxCandidates >= 1, "--max-candidates must be >= 1, was " + maxCandidates);
    ValueFormula formula;
    try {
      formula = new ValueFormula(valuePerWatchSecond, commerceWeight, liveOrderValue);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--value-per-watch-second, --commerce-weight, --live-order-value: " + e.getMessage());
    }
    ValueFormula f = formula;
    SnapshotWatcher<RankData> watcher = data.watcher("rank-service", s -> RankData.of(s, f));
    Telemetry telemetry = Telemetry.create("rank-service");
    watcher.instrument(telemetry);
    RankServiceImpl impl = new RankServiceImpl(watcher.versioned(), maxCandidates).instrument(new StageMetrics(telemetry));
    FaultInjector faults = server.faultInjector();
    AdminServiceImpl admin = new AdminServiceImpl(watcher, faults, null);
    ManagedServer managed = new ManagedServer("rank-service",
        ServiceMain.serverBuilder(server, port), server, List.<BindableService>of(impl, admin),
        telemetry, faults).closeOnStop(watcher);
    managed.start(() -> impl.warmUp(watcher.initial().users(), server.warmupRequests));
    ServiceMain.serveMetrics(managed, server);
    ServiceMain.serveHealthPort(managed, server);
    watcher.start();
    ServiceMain.serveUntilShutdown(managed);
    return 0;
  }
}
