package io.rankingcluster.rank;

import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.score.ValueFormula;
import java.nio.file.Path;

/**
 * Rank's settings, immutable and validated: the most candidates per request, the value formula's
 * weights, and an optional ONNX rank model with its version and whether it is the default. Built
 * from the flags ({@link RankOptions#config()}) or from flag strings.
 */
public record RankConfig(
    int maxCandidates,
    float valuePerWatchSecond,
    float commerceWeight,
    float liveOrderValue,
    Path onnxModel,
    String onnxModelVersion,
    boolean onnxDefault) {
  public RankConfig {
    Validation.require(maxCandidates >= 1, "--max-candidates must be >= 1, was " + maxCandidates);
    formula(valuePerWatchSecond, commerceWeight, liveOrderValue);
    Validation.require(
        onnxModel != null || (!onnxDefault && onnxModelVersion == null),
        "--onnx-default and --onnx-model-version need --onnx-model");
  }

  /** The value formula of these weights. */
  public ValueFormula formula() {
    return formula(valuePerWatchSecond, commerceWeight, liveOrderValue);
  }

  private static ValueFormula formula(float perWatchSecond, float commerce, float liveOrder) {
    try {
      return new ValueFormula(perWatchSecond, commerce, liveOrder);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException(
          "--value-per-watch-second, --commerce-weight, --live-order-value: " + e.getMessage());
    }
  }

  public static RankConfig parse(String... flags) {
    return ServiceMain.parse(new RankOptions(), flags).config();
  }
}
