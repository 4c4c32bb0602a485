package io.rankingcluster.core.score;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.HeadModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Scorer;
import io.rankingcluster.core.pipeline.component.ValueOrderSelector;
import io.rankingcluster.core.recall.Candidates;
import java.util.Arrays;

/**
 * The second-stage scorer: per candidate, three heads (probability of a click, of a conversion
 * after a click, expected watch seconds after a click) from item statistics crossed with the user's
 * affinities and price fit, then one value per impression by the {@link ValueFormula}, for every
 * candidate in input order; the rank service then orders them by value ({@link #rank}). Weights are
 * fixed priors until the trained multi-task model replaces them.
 */
public final class RankScorer implements Scorer<ScoringState> {
  /** The version reported when no trained model is loaded: fixed weights over item priors. */
  public static final String MODEL_VERSION = "rank-prior-1";

  private final Catalog catalog;
  private final ValueFormula formula;
  private final Embeddings itemEmbeddings;
  private final HeadModel model;

  /** Item-only features precomputed once per catalog (null without a model). */
  private final RankFeatures.ItemStatics statics;

  /** Heads from fixed prior weights (no trained model). */
  public RankScorer(Catalog catalog, ValueFormula formula) {
    this(catalog, formula, Embeddings.empty(catalog.size()), null);
  }

  /**
   * Heads from a trained model over {@link RankFeatures} (null model: fixed prior weights): the
   * built-in {@link io.rankingcluster.core.model.MultiTaskModel} or any other {@link HeadModel}
   * with {@link RankFeatures#COUNT} inputs and three heads (click probability, conversion
   * probability after a click, watch seconds after a click).
   */
  public RankScorer(
      Catalog catalog, ValueFormula formula, Embeddings itemEmbeddings, HeadModel model) {
    if (model != null && (model.inputs() != RankFeatures.COUNT || model.heads() != 3)) {
      throw new IllegalArgumentException(
          "rank model "
              + model.version()
              + " expects "
              + model.inputs()
              + " features and has "
              + model.heads()
              + " heads; the rank stage needs "
              + RankFeatures.COUNT
              + " features and 3 heads");
    }
    this.catalog = catalog;
    this.formula = formula;
    this.itemEmbeddings = itemEmbeddings;
    this.model = model;
    this.statics = model == null ? null : new RankFeatures.ItemStatics(catalog);
  }

  public String modelVersion() {
    return model == null ? MODEL_VERSION : model.version();
  }

  /** Parallel arrays sorted by value, best first; ids unknown to the catalog are dropped. */
  public record Ranked(
      long[] ids,
      byte[] kinds,
      float[] pClick,
      float[] pConvert,
      float[] watchSeconds,
      float[] values,
      int size) {}

  @Override
  public String id() {
    return "rank";
  }

  public Ranked rank(Candidates in, UserSignals user) {
    return rank(in, user, new float[0], 0L);
  }

  /**
   * Heads and values, sorted by value: the scorer, then the value order (what the rank service
   * answers).
   */
  public Ranked rank(Candidates in, UserSignals user, float[] userVector, long timeMs) {
    CandidateTable t =
        Scoring.run(
            this,
            ORDER,
            new ScoringState(user, userVector, timeMs, new int[0]),
            CandidateTable.of(in));
    int m = t.size();
    return new Ranked(
        Arrays.copyOf(t.ids, m),
        Arrays.copyOf(t.kinds, m),
        Arrays.copyOf(t.pClick, m),
        Arrays.copyOf(t.pConvert, m),
        Arrays.copyOf(t.watchSeconds, m),
        Arrays.copyOf(t.values, m),
        m);
  }

  private static final ValueOrderSelector<ScoringState> ORDER =
      new ValueOrderSelector<>(s -> false);

  /**
   * The heads and the value of every candidate, in input order: {@link CandidateTable#pClick},
   * {@code pConvert}, {@code watchSeconds}, {@code values} (also the order score); NaN value for
   * ids unknown to the catalog. Kinds are set from the catalog (the authority, not the caller).
   */
  @Override
  public void score(ScoringState state, CandidateTable in) {
    int n = in.size();
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = catalog.index.rowOf(in.ids[i]);
    }
    float[] heads = null;
    if (model != null) {
      int f = RankFeatures.COUNT;
      float[] x = new float[n * f];
      RankFeatures.Context ctx =
          new RankFeatures.Context(state.user, state.userVector, catalog, itemEmbeddings);
      RankFeatures.computeBatch(statics, itemEmbeddings, rows, n, ctx, state.timeMs, x, f);
      heads = new float[n * 3];
      model.predict(x, n, heads);
    }
    for (int i = 0; i < n; i++) {
      int row = rows[i];
      if (row < 0) {
        in.values[i] = Float.NaN;
        in.scores[i] = Float.NaN;
        continue;
      }
      byte kind = catalog.kinds[row];
      in.kinds[i] = kind;
      // Live streams sell during the show (no list price): their conversion counts as well.
      boolean sells = catalog.prices[row] > 0 || kind == ItemKind.LIVE_STREAM.code();
      float pClick;
      float pConvert;
      float watch;
      if (heads != null) {
        pClick = heads[i * 3];
        pConvert = sells ? heads[i * 3 + 1] : 0f;
        watch = kind == ItemKind.PRODUCT.code() ? 0f : heads[i * 3 + 2];
      } else {
        int leaf = catalog.categories[row];
        float ctr = catalog.smoothedCtr(row, 0.03f, 100f);
        float logit =
            (float) Math.log(ctr / (1 - ctr))
                + 1.5f * state.user.leafAffinity(leaf)
                + 0.6f * state.user.parentAffinity(leaf)
                + 0.25f * state.user.priceFit(catalog.prices[row]);
        pClick = sigmoid(logit);
        pConvert = sells ? catalog.smoothedCvr(row, 0.08f, 20f) : 0f;
        watch =
            kind == 1 ? 0f : (catalog.watchSeconds[row] + 30f * 5f) / (catalog.clicks[row] + 5f);
      }
      in.pClick[i] = pClick;
      in.pConvert[i] = pConvert;
      in.watchSeconds[i] = watch;
      float v = formula.value(kind, pClick, pConvert, watch, catalog.prices[row]);
      in.values[i] = v;
      in.scores[i] = v;
    }
  }

  /**
   * The features the model sees for these items (row-major, {@link RankFeatures#COUNT} columns;
   * zeros for unknown ids), computed by the same code as scoring: what the rank service reports
   * with debug.
   */
  public float[] features(long[] ids, int n, UserSignals user, float[] userVector, long timeMs) {
    float[] x = new float[n * RankFeatures.COUNT];
    RankFeatures.ItemStatics table =
        statics != null ? statics : new RankFeatures.ItemStatics(catalog);
    RankFeatures.Context ctx = new RankFeatures.Context(user, userVector, catalog, itemEmbeddings);
    for (int i = 0; i < n; i++) {
      int row = catalog.index.rowOf(ids[i]);
      if (row >= 0) {
        RankFeatures.compute(
            table, itemEmbeddings, row, ctx, timeMs, x, i * RankFeatures.COUNT, RankFeatures.COUNT);
      }
    }
    return x;
  }

  static float sigmoid(float x) {
    return 1f / (1f + (float) Math.exp(-x));
  }
}
