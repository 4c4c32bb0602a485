package io.rankingcluster.rank;

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
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** rank-service: the multi-task ranker and value formula. */
@Command(
    name = "rank-service",
    mixinStandardHelpOptions = true,
    description =
        "Rank: click, conversion and watch-time heads per candidate, combined into one value per"
            + " impression.")
public final class RankMain implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(RankMain.class.getName());

  @Option(
      names = "--port",
      defaultValue = "9093",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--max-candidates",
      defaultValue = "2000",
      description = "Most candidates per request (default: ${DEFAULT-VALUE}).")
  int maxCandidates;

  @Option(
      names = "--value-per-watch-second",
      defaultValue = "0.02",
      description =
          "Value formula: currency units per expected watched second (default: ${DEFAULT-VALUE}).")
  float valuePerWatchSecond;

  @Option(
      names = "--commerce-weight",
      defaultValue = "1.0",
      description =
          "Value formula: weight of purchases made through a video (default: ${DEFAULT-VALUE}).")
  float commerceWeight;

  @Option(
      names = "--live-order-value",
      defaultValue = "25",
      description =
          "Value formula: currency value of a purchase in a live stream (default:"
              + " ${DEFAULT-VALUE}).")
  float liveOrderValue;

  @Option(
      names = "--onnx-model",
      paramLabel = "<file>",
      description =
          "An ONNX rank model (input 'features' float [N,18] of raw rank features, output 'heads'"
              + " float [N,3]: P(click), P(conversion | click), watch seconds;"
              + " docs/models-onnx.md), served by ONNX Runtime beside the snapshot's models as one"
              + " more version that calls select in context.model_versions[\"rank\"]. A file that"
              + " is not ONNX or breaks the contract stops the start. Unset: none.")
  Path onnxModel;

  @Option(
      names = "--onnx-model-version",
      paramLabel = "<version>",
      description =
          "The version to serve --onnx-model under (default: the model's metadata 'version', else"
              + " its graph name).")
  String onnxModelVersion;

  @Option(
      names = "--onnx-default",
      defaultValue = "false",
      fallbackValue = "true",
      arity = "0..1",
      description =
          "Serve --onnx-model to calls that ask for no rank model version, instead of the"
              + " snapshot's rank model (default: ${DEFAULT-VALUE}).")
  boolean onnxDefault;

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
      throw new Validation.ConfigException(
          "--value-per-watch-second, --commerce-weight, --live-order-value: " + e.getMessage());
    }
    Validation.require(
        onnxModel != null || (!onnxDefault && onnxModelVersion == null),
        "--onnx-default and --onnx-model-version need --onnx-model");
    // Loaded before the snapshot: a bad model file fails the start in a second, not after the
    // snapshot load.
    OnnxHeadModel onnx = loadOnnx();
    List<OnnxHeadModel> extra = onnx == null ? List.of() : List.of(onnx);
    String defaultVersion = onnx != null && onnxDefault ? onnx.version() : null;
    ValueFormula f = formula;
    SnapshotWatcher<RankData> watcher =
        data.watcher("rank-service", s -> RankData.of(s, f, extra, defaultVersion));
    Telemetry telemetry = Telemetry.create("rank-service");
    watcher.instrument(telemetry);
    RankServiceImpl impl =
        new RankServiceImpl(watcher.versioned(), maxCandidates)
            .instrument(new StageMetrics(telemetry));
    FaultInjector faults = server.faultInjector();
    AdminServiceImpl admin = new AdminServiceImpl(watcher, faults, null);
    ManagedServer managed =
        new ManagedServer(
                "rank-service",
                ServiceMain.serverBuilder(server, port),
                server,
                List.<BindableService>of(impl, admin),
                telemetry,
                faults)
            .closeOnStop(watcher);
    if (onnx != null) {
      managed.closeOnStop(onnx);
    }
    managed.start(
        () ->
            managed.warmUpCalls(
                RankServiceGrpc.getRankMethod(),
                impl.warmUpCalls(server.warmupRequests),
                i ->
                    impl.warmUpRequest(
                        watcher.initial().users(), watcher.initial().userVectors(), i)));
    ServiceMain.serveMetrics(managed, server);
    ServiceMain.serveHealthPort(managed, server);
    watcher.start();
    ServiceMain.serveUntilShutdown(managed);
    return 0;
  }

  private OnnxHeadModel loadOnnx() {
    if (onnxModel == null) {
      return null;
    }
    try {
      OnnxHeadModel m = OnnxHeadModel.load(onnxModel, onnxModelVersion, RankFeatures.COUNT, 3);
      LOG.info(
          () ->
              "--onnx-model "
                  + onnxModel
                  + " serves rank model version "
                  + m.version()
                  + (onnxDefault ? " (the default)" : ""));
      return m;
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--onnx-model: " + e.getMessage());
    }
  }
}
