package io.rankingcluster.core.score;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Scorer;
import io.rankingcluster.core.pipeline.component.PerKindCutSelector;
import io.rankingcluster.core.recall.Candidates;

/**
 * The light first-stage scorer: a linear score over cheap features (smoothed click-through prior,
 * leaf and parent category affinity, price fit, number of channels that found the item, recall
 * score), or the trained model's click head. It scores every candidate in input order; the prerank
 * service then keeps the top K per kind ({@link #topKPerKind}). Weights are fixed priors until the
 * trained model replaces them.
 */
public final class PrerankScorer implements Scorer<ScoringState> {
  /** The version reported when no trained model is loaded: fixed weights over item priors. */
  public static final String MODEL_VERSION = "prerank-prior-1";

  private final Catalog catalog;
  private final Embeddings itemEmbeddings;
  private final MultiTaskModel model;

  /** Item-only features precomputed once per catalog (null without a model). */
  private final RankFeatures.ItemStatics statics;

  /** Scores with fixed prior weights (no trained model). */
  public PrerankScorer(Catalog catalog) {
    this(catalog, Embeddings.empty(catalog.size()), null);
  }

  /**
   * Scores with a trained model's click head over {@link RankFeatures} (null model: fixed prior
   * weights).
   */
  public PrerankScorer(Catalog catalog, Embeddings itemEmbeddings, MultiTaskModel model) {
    if (model != null && model.inputs() != RankFeatures.PRERANK_COUNT) {
      throw new IllegalArgumentException(
          "prerank model "
              + model.version()
              + " expects "
              + model.inputs()
              + " features, the prerank feature set has "
              + RankFeatures.PRERANK_COUNT);
    }
    this.catalog = catalog;
    this.itemEmbeddings = itemEmbeddings;
    this.model = model;
    this.statics = model == null ? null : new RankFeatures.ItemStatics(catalog);
  }

  public String modelVersion() {
    return model == null ? MODEL_VERSION : model.version();
  }

  /**
   * Result: the kept candidates (best first within each kind) and kinds that fell short of their K.
   */
  public record Result(Candidates kept, boolean[] shortKinds) {}

  @Override
  public String id() {
    return "prerank";
  }

  /**
   * Scores every candidate in input order into {@link CandidateTable#scores} and {@link
   * CandidateTable#prerankScores}: NaN for ids unknown to the catalog. The catalog is the authority
   * on kinds, not the caller: each candidate's kind is set from it.
   */
  @Override
  public void score(ScoringState state, CandidateTable in) {
    int n = in.size();
    float[] scores = new float[n];
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = catalog.index.rowOf(in.ids[i]);
    }
    if (model == null) {
      for (int i = 0; i < n; i++) {
        scores[i] =
            rows[i] < 0 ? Float.NaN : score(rows[i], state.user, in.recallScores[i], in.masks[i]);
      }
    } else {
      // One feature matrix for the batch, one pass of the model: no per-candidate allocation.
      int f = RankFeatures.PRERANK_COUNT;
      float[] x = new float[n * f];
      RankFeatures.Context ctx =
          new RankFeatures.Context(state.user, state.userVector, catalog, itemEmbeddings);
      RankFeatures.computeBatch(statics, itemEmbeddings, rows, n, ctx, state.timeMs, x, f);
      model.predict(x, n, scores, new float[2 * model.maxWidth()]);
    }
    for (int i = 0; i < n; i++) {
      float s = rows[i] < 0 ? Float.NaN : scores[i];
      in.scores[i] = s;
      in.prerankScores[i] = s;
      if (rows[i] >= 0) {
        in.kinds[i] = catalog.kinds[rows[i]];
      }
    }
  }

  /**
   * Scores every candidate (ids unknown to the catalog are dropped) and keeps the best {@code
   * topK[kind index]} of each kind.
   */
  public Result topKPerKind(Candidates in, UserSignals user, int[] topK) {
    return topKPerKind(in, user, new float[0], 0L, topK);
  }

  /** As above, with the user vector and the request's time for the trained model's features. */
  public Result topKPerKind(
      Candidates in, UserSignals user, float[] userVector, long timeMs, int[] topK) {
    ScoringState state = new ScoringState(user, userVector, timeMs, topK);
    CandidateTable kept = Scoring.run(this, CUT, state, CandidateTable.of(in));
    int[] taken = new int[ItemKind.COUNT];
    for (int i = 0; i < kept.size(); i++) {
      taken[kept.kinds[i] - 1]++;
    }
    boolean[] shortKinds = new boolean[ItemKind.COUNT];
    for (int k = 0; k < ItemKind.COUNT; k++) {
      shortKinds[k] = taken[k] < topK[k];
    }
    return new Result(
        new Candidates(
            java.util.Arrays.copyOf(kept.ids, kept.size()),
            java.util.Arrays.copyOf(kept.kinds, kept.size()),
            java.util.Arrays.copyOf(kept.scores, kept.size()),
            java.util.Arrays.copyOf(kept.masks, kept.size()),
            kept.size()),
        shortKinds);
  }

  /** Prerank's selector: the request's top K per kind by score. */
  private static final PerKindCutSelector<ScoringState> CUT = new PerKindCutSelector<>(s -> s.topK);

  float score(int row, UserSignals user, float recallScore, int channelMask) {
    float ctr = catalog.smoothedCtr(row, 0.03f, 200f);
    float logit = (float) Math.log(ctr / (1 - ctr));
    int leaf = catalog.categories[row];
    return logit
        + 2.0f * user.leafAffinity(leaf)
        + 0.8f * user.parentAffinity(leaf)
        + 0.3f * user.priceFit(catalog.prices[row])
        + 0.15f * Integer.bitCount(channelMask)
        + 0.3f * recallScore;
  }
}
