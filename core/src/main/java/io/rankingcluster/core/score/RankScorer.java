package io.rankingcluster.core.score;

import io.rankingcluster.core.Order;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.HeadModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.recall.Candidates;

/**
 * The second-stage scorer: per candidate, three heads (probability of a click, of a conversion after a
 * click, expected watch seconds after a click) from item statistics crossed with the user's affinities and
 * price fit, then one value per impression by the {@link ValueFormula}. Output is sorted by value.
 * Weights are fixed priors until the trained multi-task model replaces them.
 */
public final class RankScorer {
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
   * Heads from a trained model over {@link RankFeatures} (null model: fixed prior weights): the built-in
   * {@link io.rankingcluster.core.model.MultiTaskModel} or any other {@link HeadModel} with {@link RankFeatures#COUNT}
   * inputs and three heads (click probability, conversion probability after a click, watch seconds after a click).
   */
  public RankScorer(Catalog catalog, ValueFormula formula, Embeddings itemEmbeddings, HeadModel model) {
    if (model != null && (model.inputs() != RankFeatures.COUNT || model.heads() != 3)) {
      throw new IllegalArgumentException("rank model " + model.version() + " expects " + model.inputs() + " features and has "
          + model.heads() + " heads; the rank stage needs " + RankFeatures.COUNT + " features and 3 heads");
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
  public record Ranked(long[] ids, byte[] kinds, float[] pClick, float[] pConvert, float[] watchSeconds,
      float[] values, int size) {}

  public Ranked rank(Candidates in, UserSignals user) {
    return rank(in, user, new float[0], 0L);
  }

  /** As above, with the user vector and the request's time for the trained model's features. */
  public Ranked rank(Candidates in, UserSignals user, float[] userVector, long timeMs) {
    if (model != null) {
      return rankWithModel(in, user, userVector, timeMs);
    }
    int n = in.size;
    float[] pClick = new float[n];
    float[] pConvert = new float[n];
    float[] watch = new float[n];
    float[] values = new float[n];
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      int row = catalog.index.rowOf(in.ids[i]);
      rows[i] = row;
      if (row < 0) {
        values[i] = Float.NaN;
        continue;
      }
      int leaf = catalog.categories[row];
      float ctr = catalog.smoothedCtr(row, 0.03f, 100f);
      float logit = (float) Math.log(ctr / (1 - ctr))
          + 1.5f * user.leafAffinity(leaf) + 0.6f * user.parentAffinity(leaf) + 0.25f * user.priceFit(catalog.prices[row]);
      pClick[i] = sigmoid(logit);
      // Live streams sell during the show (no list price): their conversion counts as well.
      boolean sells = catalog.prices[row] > 0 || catalog.kinds[row] == io.rankingcluster.core.ItemKind.LIVE_STREAM.code();
      pConvert[i] = sells ? catalog.smoothedCvr(row, 0.08f, 20f) : 0f;
      watch[i] = catalog.kinds[row] == 1 ? 0f : (catalog.watchSeconds[row] + 30f * 5f) / (catalog.clicks[row] + 5f);
      values[i] = formula.value(catalog.kinds[row], pClick[i], pConvert[i], watch[i], catalog.prices[row]);
    }
    return sorted(in, rows, pClick, pConvert, watch, values);
  }

  private Ranked rankWithModel(Candidates in, UserSignals user, float[] userVector, long timeMs) {
    int n = in.size;
    int f = RankFeatures.COUNT;
    float[] x = new float[n * f];
    int[] rows = new int[n];
    RankFeatures.Context ctx = new RankFeatures.Context(user, userVector, catalog, itemEmbeddings);
    for (int i = 0; i < n; i++) {
      rows[i] = catalog.index.rowOf(in.ids[i]);
    }
    RankFeatures.computeBatch(statics, itemEmbeddings, rows, n, ctx, timeMs, x, f);
    float[] heads = new float[n * 3];
    model.predict(x, n, heads);
    float[] pClick = new float[n];
    float[] pConvert = new float[n];
    float[] watch = new float[n];
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      if (rows[i] < 0) {
        values[i] = Float.NaN;
        continue;
      }
      int row = rows[i];
      pClick[i] = heads[i * 3];
      boolean sells = catalog.prices[row] > 0 || catalog.kinds[row] == io.rankingcluster.core.ItemKind.LIVE_STREAM.code();
      pConvert[i] = sells ? heads[i * 3 + 1] : 0f;
      watch[i] = catalog.kinds[row] == io.rankingcluster.core.ItemKind.PRODUCT.code() ? 0f : heads[i * 3 + 2];
      values[i] = formula.value(catalog.kinds[row], pClick[i], pConvert[i], watch[i], catalog.prices[row]);
    }
    return sorted(in, rows, pClick, pConvert, watch, values);
  }

  /**
   * The features the model sees for these items (row-major, {@link RankFeatures#COUNT} columns; zeros for
   * unknown ids), computed by the same code as scoring: what the rank service reports with debug.
   */
  public float[] features(long[] ids, int n, UserSignals user, float[] userVector, long timeMs) {
    float[] x = new float[n * RankFeatures.COUNT];
    RankFeatures.ItemStatics table = statics != null ? statics : new RankFeatures.ItemStatics(catalog);
    RankFeatures.Context ctx = new RankFeatures.Context(user, userVector, catalog, itemEmbeddings);
    for (int i = 0; i < n; i++) {
      int row = catalog.index.rowOf(ids[i]);
      if (row >= 0) {
        RankFeatures.compute(table, itemEmbeddings, row, ctx, timeMs, x, i * RankFeatures.COUNT, RankFeatures.COUNT);
      }
    }
    return x;
  }

  private Ranked sorted(Candidates in, int[] rows, float[] pClick, float[] pConvert, float[] watch, float[] values) {
    int n = in.size;
    int[] order = Order.byScoreDescending(values, n);
    Ranked out = new Ranked(new long[n], new byte[n], new float[n], new float[n], new float[n], new float[n], 0);
    int m = 0;
    for (int i : order) {
      if (rows[i] < 0) {
        continue;
      }
      out.ids[m] = in.ids[i];
      out.kinds[m] = catalog.kinds[rows[i]]; // the catalog is the authority on kinds, not the caller
      out.pClick[m] = pClick[i];
      out.pConvert[m] = pConvert[i];
      out.watchSeconds[m] = watch[i];
      out.values[m] = values[i];
      m++;
    }
    return new Ranked(out.ids, out.kinds, out.pClick, out.pConvert, out.watchSeconds, out.values, m);
  }

  static float sigmoid(float x) {
    return 1f / (1f + (float) Math.exp(-x));
  }
}
