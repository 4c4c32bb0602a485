package io.rankingcluster.prerank;

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
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** prerank-service: the light first-stage ranker. */
@Command(
    name = "prerank-service",
    mixinStandardHelpOptions = true,
    description =
        "Prerank: scores thousands of candidates with a light model and keeps the top K per kind.")
public final class PrerankMain implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--top-k",
      split = ",",
      defaultValue = "250,110,40",
      description =
          "Default survivors per kind: products,videos,live streams (default: ${DEFAULT-VALUE}).")
  int[] topK;

  @Option(
      names = "--max-top-k",
      defaultValue = "2000",
      description = "Largest K a request may ask for (default: ${DEFAULT-VALUE}).")
  int maxTopK;

  @Option(
      names = "--max-candidates",
      defaultValue = "20000",
      description = "Most candidates per request (default: ${DEFAULT-VALUE}).")
  int maxCandidates;

  @Mixin ServerOptions server;
  @Mixin SnapshotOptions data;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("PRERANK", new PrerankMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    server.validate();
    ServiceMain.configureLogging("prerank-service", server);
    data.validate();
    Validation.require(port > 0 && port < 65536, "--port must be in [1, 65535], was " + port);
    Validation.require(
        topK.length == 3, "--top-k needs three numbers (products,videos,live streams)");
    for (int k : topK) {
      Validation.require(
          k >= 0 && k <= maxTopK,
          "--top-k entries must be in [0, --max-top-k=" + maxTopK + "], got " + k);
    }
    Validation.require(maxCandidates >= 1, "--max-candidates must be >= 1, was " + maxCandidates);
    SnapshotWatcher<PrerankData> watcher = data.watcher("prerank-service", PrerankData::of);
    Telemetry telemetry = Telemetry.create("prerank-service");
    watcher.instrument(telemetry);
    PrerankServiceImpl impl =
        new PrerankServiceImpl(watcher.versioned(), topK, maxTopK, maxCandidates)
            .instrument(new StageMetrics(telemetry));
    FaultInjector faults = server.faultInjector();
    AdminServiceImpl admin = new AdminServiceImpl(watcher, faults, null);
    ManagedServer managed =
        new ManagedServer(
                "prerank-service",
                ServiceMain.serverBuilder(server, port),
                server,
                List.<BindableService>of(impl, admin),
                telemetry,
                faults)
            .closeOnStop(watcher);
    managed.start(
        () ->
            managed.warmUpCalls(
                PrerankServiceGrpc.getPrerankMethod(),
                server.warmupRequests,
                i ->
                    impl.warmUpRequest(
                        watcher.initial().users(), watcher.initial().userVectors(), i)));
    ServiceMain.serveMetrics(managed, server);
    ServiceMain.serveHealthPort(managed, server);
    watcher.start();
    ServiceMain.serveUntilShutdown(managed);
    return 0;
  }
}
