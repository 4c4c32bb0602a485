package io.rankingcluster.rank;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Rank's own flags (a picocli mixin); {@link #config()} makes them a validated {@link RankConfig}.
 */
public final class RankOptions {
  @Option(
      names = "--max-candidates",
      defaultValue = "2000",
      description = "Most candidates per request (default: ${DEFAULT-VALUE}).")
  public int maxCandidates;

  @Option(
      names = "--value-per-watch-second",
      defaultValue = "0.02",
      description =
          "Value formula: currency units per expected watched second (default: ${DEFAULT-VALUE}).")
  public float valuePerWatchSecond;

  @Option(
      names = "--commerce-weight",
      defaultValue = "1.0",
      description =
          "Value formula: weight of purchases made through a video (default: ${DEFAULT-VALUE}).")
  public float commerceWeight;

  @Option(
      names = "--live-order-value",
      defaultValue = "25",
      description =
          "Value formula: currency value of a purchase in a live stream (default:"
              + " ${DEFAULT-VALUE}).")
  public float liveOrderValue;

  @Option(
      names = "--onnx-model",
      paramLabel = "<file>",
      description =
          "An ONNX rank model (input 'features' float [N,18] of raw rank features, output 'heads'"
              + " float [N,3]: P(click), P(conversion | click), watch seconds;"
              + " docs/models-onnx.md), served by ONNX Runtime beside the snapshot's models as one"
              + " more version that calls select in context.model_versions[\"rank\"]. A file that"
              + " is not ONNX or breaks the contract stops the start. Unset: none.")
  public Path onnxModel;

  @Option(
      names = "--onnx-model-version",
      paramLabel = "<version>",
      description =
          "The version to serve --onnx-model under (default: the model's metadata 'version', else"
              + " its graph name).")
  public String onnxModelVersion;

  @Option(
      names = "--onnx-default",
      defaultValue = "false",
      fallbackValue = "true",
      arity = "0..1",
      description =
          "Serve --onnx-model to calls that ask for no rank model version, instead of the"
              + " snapshot's rank model (default: ${DEFAULT-VALUE}).")
  public boolean onnxDefault;

  public RankConfig config() {
    return new RankConfig(
        maxCandidates,
        valuePerWatchSecond,
        commerceWeight,
        liveOrderValue,
        onnxModel,
        onnxModelVersion,
        onnxDefault);
  }
}
