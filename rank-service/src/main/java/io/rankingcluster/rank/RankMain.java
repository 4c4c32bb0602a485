package io.rankingcluster.rank;

import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.ServiceCommand;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.ServiceSpec;
import io.rankingcluster.common.server.StandardPorts;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** rank-service: the multi-task ranker and value formula. */
@Command(
    name = "rank-service",
    mixinStandardHelpOptions = true,
    description =
        "Rank: click, conversion and watch-time heads per candidate, combined into one value per"
            + " impression.")
public final class RankMain extends ServiceCommand {
  private static final Logger LOG = Logger.getLogger(RankMain.class.getName());

  @Mixin RankOptions rank;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("RANK", new RankMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig serverConfig = stageServer(StandardPorts.RANK);
    RankConfig config = rank.config();
    // Loaded before the snapshot: a bad model file fails the start in a second, not after the
    // snapshot load.
    OnnxHeadModel onnx = loadOnnx(config);
    List<OnnxHeadModel> extra = onnx == null ? List.of() : List.of(onnx);
    String defaultVersion = onnx != null && config.onnxDefault() ? onnx.version() : null;
    ValueFormula formula = config.formula();
    return ServiceMain.run(
        new ServiceSpec<>(
            "rank-service",
            serverConfig,
            data.config(),
            s -> RankData.of(s, formula, extra, defaultVersion),
            loaded -> {
              RankServiceImpl impl =
                  new RankServiceImpl(loaded.versioned(), config.maxCandidates())
                      .instrument(new StageMetrics(loaded.telemetry()));
              return new ServiceSpec.Parts(
                  impl,
                  null,
                  loaded.warmUp(
                      RankServiceGrpc.getRankMethod(), impl::warmUpCalls, impl::warmUpRequest),
                  onnx == null ? List.of() : List.of(onnx));
            }));
  }

  private static OnnxHeadModel loadOnnx(RankConfig config) {
    Path onnxModel = config.onnxModel();
    String onnxModelVersion = config.onnxModelVersion();
    boolean onnxDefault = config.onnxDefault();
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
