package io.rankingcluster.common.mapping;

import io.rankingcluster.proto.v1.RequestContext;
import java.util.Map;

/**
 * Picks the model a call asks for (context.model_versions[stage]) among those a stage holds, by
 * version.
 */
public final class ModelChoice {
  private ModelChoice() {}

  /**
   * The scorer for the requested version, or the default when none is requested; NOT_FOUND naming
   * the field and the versions held when the requested one is not among them.
   */
  public static <T> T choose(
      RequestContext ctx, String stage, Map<String, T> byVersion, T defaultScorer) {
    String requested = ctx.getModelVersionsMap().getOrDefault(stage, "");
    if (requested.isEmpty()) {
      return defaultScorer;
    }
    T scorer = byVersion.get(requested);
    if (scorer == null) {
      throw Statuses.notFound(
          "context.model_versions[" + stage + "]",
          "model '"
              + requested
              + "' is in no snapshot this stage holds (it has: "
              + String.join(", ", byVersion.keySet())
              + ")");
    }
    return scorer;
  }
}
