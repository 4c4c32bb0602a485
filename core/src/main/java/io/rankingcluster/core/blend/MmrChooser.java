package io.rankingcluster.core.blend;

import io.rankingcluster.core.embed.VectorMath;
import java.util.function.IntPredicate;

/**
 * Which item of the chosen kind takes the slot. Without diversity: the best-ranked eligible one
 * (ranking order). With maximal marginal relevance (Carbonell and Goldstein 1998): the eligible
 * item maximising {@code lambda * relevance - (1 - lambda) * (max cosine similarity to the items
 * already on the page)}. Keeps the page's similarities, so one chooser serves one page.
 */
final class MmrChooser {
  private final Blender.Diversity diversity;
  private final float[] maxSim;
  private final float relScale;

  /** Scratch of {@link #placed}: the chosen row, and every row's similarity to it. */
  private float[] query;

  private float[] sims;

  MmrChooser(Blender.Diversity diversity, int n) {
    boolean on = diversity != null && diversity.lambda() < 1f && diversity.dimension() > 0;
    this.diversity = on ? diversity : null;
    this.maxSim = on ? new float[n] : null;
    float scale = 0;
    if (on) {
      for (int i = 0; i < n; i++) {
        scale = Math.max(scale, Math.abs(diversity.relevance()[i]));
      }
      scale = scale > 0 ? 1f / scale : 0f;
    }
    this.relScale = scale;
  }

  /** The input of kind index {@code kind} to place, or -1 when none is eligible. */
  int choose(PageDraft page, int kind, IntPredicate eligible) {
    int chosen = -1;
    float best = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < page.inputs(); i++) {
      if (page.used(i) || page.kind(i) - 1 != kind || !eligible.test(i)) {
        continue;
      }
      if (diversity == null) {
        return i; // ranking order: the first eligible is the best
      }
      float score =
          diversity.lambda() * diversity.relevance()[i] * relScale
              - (1 - diversity.lambda()) * maxSim[i];
      if (score > best) {
        best = score;
        chosen = i;
      }
    }
    return chosen;
  }

  /** Updates the similarities to the page after {@code chosen} was placed. */
  void placed(PageDraft page, int chosen) {
    if (diversity == null) {
      return;
    }
    int d = diversity.dimension();
    float[] u = diversity.unitVectors();
    int n = page.inputs();
    if (query == null) {
      query = new float[d];
      sims = new float[n];
    }
    System.arraycopy(u, chosen * d, query, 0, d);
    // Every row against the chosen one, four rows at a time (the one-row loop was the mixer's
    // hottest method in
    // JFR); each row's sum runs over the dimensions in order, as the one-row loop did, so the
    // values are the same.
    VectorMath.dots(u, 0, n, d, query, sims);
    for (int i = 0; i < n; i++) {
      if (!page.used(i)) {
        maxSim[i] = Math.max(maxSim[i], sims[i]);
      }
    }
  }
}
