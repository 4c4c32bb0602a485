package io.rankingcluster.mixer;

import io.rankingcluster.core.pipeline.Hydrator;
import java.util.Locale;

/**
 * Reads the mixer's {@link QualityFactor} once for the request: recall and rank quotas of this
 * request are scaled by it. A factor below 1 makes the page degraded with cause "quality_factor";
 * the debug stage "quality_factor" carries the factor as its detail either way.
 */
final class QualityFactorHydrator implements Hydrator<RecommendState> {
  static final String ID = "quality_factor";

  private final QualityFactor quality;

  QualityFactorHydrator(QualityFactor quality) {
    this.quality = quality;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void hydrate(RecommendState s) {
    double f = quality.factor();
    s.qualityFactor = f;
    String factor = String.format(Locale.ROOT, "%.2f", f);
    s.trace().detail(factor);
    if (f < 1.0) {
      s.trace()
          .degrade(
              ID,
              ID,
              "candidate counts x "
                  + factor
                  + ": requests near their deadline, the mixer asks for fewer candidates");
    }
  }
}
