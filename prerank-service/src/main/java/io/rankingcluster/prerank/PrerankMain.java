package io.rankingcluster.prerank;

import io.rankingcluster.common.metrics.StageMetrics;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.ServiceCommand;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.ServiceSpec;
import io.rankingcluster.common.server.StandardPorts;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** prerank-service: the light first-stage ranker. */
@Command(
    name = "prerank-service",
    mixinStandardHelpOptions = true,
    description =
        "Prerank: scores thousands of candidates with a light model and keeps the top K per kind.")
public final class PrerankMain extends ServiceCommand {

  @Mixin PrerankOptions prerank;

  public static void main(String[] args) {
    System.exit(ServiceMain.execute("PRERANK", new PrerankMain(), args));
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig serverConfig = stageServer(StandardPorts.PRERANK);
    PrerankConfig config = prerank.config();
    return ServiceMain.run(
        new ServiceSpec<>(
            "prerank-service",
            serverConfig,
            data.config(),
            PrerankData::of,
            loaded -> {
              PrerankServiceImpl impl =
                  new PrerankServiceImpl(
                          loaded.versioned(),
                          config.topK(),
                          config.maxTopK(),
                          config.maxCandidates())
                      .instrument(new StageMetrics(loaded.telemetry()));
              return new ServiceSpec.Parts(
                  impl,
                  null,
                  loaded.warmUp(PrerankServiceGrpc.getPrerankMethod(), impl::warmUpRequest),
                  List.of());
            }));
  }
}
