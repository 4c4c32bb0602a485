package io.rankingcluster.core.score;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.Order;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.recall.Candidates;

/**
 * The light first-stage scorer: a linear score over cheap features (smoothed click-through prior, leaf and
 * parent category affinity, price fit, number of channels that found the item, recall score), then the
 * top K per kind. Weights are fixed priors until the trained model replaces them.
 */
public final class PrerankScorer {
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

  /** Scores with a trained model's click head over {@link RankFeatures} (null model: fixed prior weights). */
  public PrerankScorer(Catalog catalog, Embeddings itemEmbeddings, MultiTaskModel model) {
    if (model != null && model.inputs() != RankFeatures.PRERANK_COUNT) {
      throw new IllegalArgumentException("prerank model " + model.version() + " expects " + model.inputs()
          + " features, the prerank feature set has " + RankFeatures.PRERANK_COUNT);
    }
    this.catalog = catalog;
    this.itemEmbeddings = itemEmbeddings;
    this.model = model;
    this.statics = model == null ? null : new RankFeatures.ItemStatics(catalog);
  }

  public String modelVersion() {
    return model == null ? MODEL_VERSION : model.version();
  }

  /** Result: the kept candidates (best first within each kind) and kinds that fell short of their K. */
  public record Result(Candidates kept, boolean[] shortKinds) {}

  /**
   * Scores every candidate (ids unknown to the catalog score lowest and are dropped) and keeps the best
   * {@code topK[kind index]} of each kind.
   */
  public Result topKPerKind(Candidates in, UserSignals user, int[] topK) {
    return topKPerKind(in, user, new float[0], 0L, topK);
  }

  /** As above, with the user vector and the request's time for the trained model's features. */
  public Result topKPerKind(Candidates in, UserSignals user, float[] userVector, long timeMs, int[] topK) {
    float[] scores = new float[in.size];
    int[] rows = new int[in.size];
    for (int i = 0; i < in.size; i++) {
      rows[i] = catalog.index.rowOf(in.ids[i]);
    }
    if (model == null) {
      for (int i = 0; i < in.size; i++) {
        scores[i] = rows[i] < 0 ? Float.NaN : score(rows[i], user, in.scores[i], in.channelMasks[i]);
      }
    } else {
      // One feature matrix for the batch, one pass of the model: no per-candidate allocation.
      int f = RankFeatures.PRERANK_COUNT;
      float[] x = new float[in.size * f];
      RankFeatures.Context ctx = new RankFeatures.Context(user, userVector, catalog, itemEmbeddings);
      RankFeatures.computeBatch(statics, itemEmbeddings, rows, in.size, ctx, timeMs, x, f);
      model.predict(x, in.size, scores, new float[2 * model.maxWidth()]);
      for (int i = 0; i < in.size; i++) {
        if (rows[i] < 0) {
          scores[i] = Float.NaN;
        }
      }
    }
    int[] order = Order.byScoreDescending(scores, in.size);
    int[] taken = new int[ItemKind.COUNT];
    long[] ids = new long[in.size];
    byte[] kinds = new byte[in.size];
    float[] out = new float[in.size];
    int[] masks = new int[in.size];
    int m = 0;
    for (int i : order) {
      if (rows[i] < 0) {
        continue;
      }
      int k = catalog.kinds[rows[i]] - 1; // the catalog is the authority on kinds, not the caller
      if (taken[k] >= topK[k]) {
        continue;
      }
      taken[k]++;
      ids[m] = in.ids[i];
      kinds[m] = catalog.kinds[rows[i]];
      out[m] = scores[i];
      masks[m] = in.channelMasks[i];
      m++;
    }
    boolean[] shortKinds = new boolean[ItemKind.COUNT];
    for (int k = 0; k < ItemKind.COUNT; k++) {
      shortKinds[k] = taken[k] < topK[k];
    }
    return new Result(new Candidates(ids, kinds, out, masks, m), shortKinds);
  }

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
