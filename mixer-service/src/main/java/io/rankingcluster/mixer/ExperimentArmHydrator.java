package io.rankingcluster.mixer;

import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.core.experiment.ExperimentRouter;
import io.rankingcluster.core.pipeline.Hydrator;
import io.rankingcluster.proto.v1.RequestContext;

/**
 * The request's experiment arm, decided once here and passed down so that every stage serves the
 * same arm: the arm the request forces (context.experiment; NOT_FOUND when unknown) or the user's
 * by the router's stable hash. Also resolves the arm's blend rules.
 */
final class ExperimentArmHydrator implements Hydrator<RecommendState> {
  private final ExperimentRouter experiments;
  private final BlendSettings blendSettings;

  ExperimentArmHydrator(ExperimentRouter experiments, BlendSettings blendSettings) {
    this.experiments = experiments;
    this.blendSettings = blendSettings;
  }

  @Override
  public String id() {
    return "experiment_arm";
  }

  @Override
  public void hydrate(RecommendState s) {
    RequestContext ctx = s.request.context();
    if (ctx.getExperiment().isEmpty()) {
      s.arm = experiments.arm(ctx.getUserId());
    } else {
      s.arm = experiments.byName(ctx.getExperiment());
      if (s.arm == null) {
        StringBuilder names = new StringBuilder();
        experiments
            .arms()
            .forEach(a -> names.append(names.length() == 0 ? "" : ", ").append(a.name()));
        throw Statuses.notFound(
            "context.experiment",
            "no experiment arm '" + ctx.getExperiment() + "' (arms: " + names + ")");
      }
    }
    s.rules = blendSettings.get(s.arm.settings().get("blend"));
    s.trace().detail("arm " + s.arm.name() + ", blend " + s.rules.name());
  }
}
