package io.rankingcluster.core.model;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.embed.VectorMath;
import io.rankingcluster.core.score.UserSignals;

/**
 * The one feature extractor of the ranking stages: training (offline) and serving (prerank, rank)
 * call the same code, so a model sees at serving exactly the features it was trained on. Features
 * of one candidate are written into a row of a float matrix (row-major, {@link #COUNT} columns) to
 * keep inference batched.
 *
 * <p>Prerank uses the first {@link #PRERANK_COUNT} columns (cheap: item priors, affinities, the
 * embedding dot product); rank uses all, adding sequence features (similarity of the candidate to
 * the user's recent items), seller affinity, and time of day.
 */
public final class RankFeatures {
  public static final String[] NAMES = {
    "log_ctr_prior", "log_cvr_prior", "log_impressions", "leaf_affinity", "parent_affinity",
        "price_fit",
    "log_price", "is_video", "is_live", "user_item_dot", "freshness", "log_watch_prior",
    // rank only from here
    "max_sim_recent", "mean_sim_recent", "seller_affinity", "hour_sin", "hour_cos", "cold_start"
  };
  public static final int COUNT = NAMES.length;
  public static final int PRERANK_COUNT = 12;

  /** Recent items compared with each candidate for the sequence features. */
  public static final int SEQUENCE_LENGTH = 10;

  private RankFeatures() {}

  /**
   * What the features of one user need besides the candidate: the user, their vector, the
   * embeddings of their recent items (normalised) and the sellers of those items. Built once per
   * request (or per user in training).
   */
  public static final class Context {
    final UserSignals user;
    final float[] userVector;
    final float[] recentUnit;
    final int recentCount;
    final long[] recentSellers;

    /**
     * @param userVector the user's vector in the item embedding space (empty: unknown)
     * @param itemEmbeddings embeddings aligned with {@code catalog} rows (dimension 0: none)
     */
    public Context(
        UserSignals user, float[] userVector, Catalog catalog, Embeddings itemEmbeddings) {
      this.user = user;
      int d = itemEmbeddings.dimension();
      this.userVector = userVector.length == d ? userVector : new float[0];
      int n = 0;
      float[] unit = new float[SEQUENCE_LENGTH * Math.max(1, d)];
      long[] sellers = new long[Math.min(SEQUENCE_LENGTH, user.recentItemIds.length)];
      int s = 0;
      for (long id : user.recentItemIds) {
        if (n >= SEQUENCE_LENGTH) {
          break;
        }
        int row = catalog.index.rowOf(id);
        if (row < 0) {
          continue;
        }
        if (s < sellers.length) {
          sellers[s++] = catalog.sellers[row];
        }
        if (d > 0) {
          float norm = 0;
          for (int k = 0; k < d; k++) {
            float v = itemEmbeddings.data()[row * d + k];
            unit[n * d + k] = v;
            norm += v * v;
          }
          if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < d; k++) {
              unit[n * d + k] *= inv;
            }
            n++;
          }
        }
      }
      this.recentUnit = unit;
      this.recentCount = n;
      this.recentSellers = java.util.Arrays.copyOf(sellers, s);
    }
  }

  /**
   * Column indexes of the features that depend on the item alone (precomputed by {@link
   * ItemStatics}).
   */
  private static final int[] STATIC_COLUMNS = {0, 1, 2, 6, 7, 8, 11};

  /**
   * The item-only features of every catalog row, computed once per catalog (a snapshot load) so
   * that scoring a candidate copies them instead of recomputing logarithms: the same values as
   * {@link #compute}.
   */
  public static final class ItemStatics {
    final float[] table;
    final Catalog catalog;

    public ItemStatics(Catalog c) {
      this.catalog = c;
      this.table = new float[c.size() * STATIC_COLUMNS.length];
      float[] row = new float[COUNT];
      for (int r = 0; r < c.size(); r++) {
        itemOnly(c, r, row, 0);
        for (int j = 0; j < STATIC_COLUMNS.length; j++) {
          table[r * STATIC_COLUMNS.length + j] = row[STATIC_COLUMNS[j]];
        }
      }
    }
  }

  private static void itemOnly(Catalog c, int row, float[] out, int offset) {
    float ctr = c.smoothedCtr(row, 0.05f, 50f);
    float cvr = c.smoothedCvr(row, 0.05f, 20f);
    byte kind = c.kinds[row];
    out[offset] = (float) Math.log(ctr);
    out[offset + 1] = (float) Math.log(cvr);
    out[offset + 2] = (float) Math.log1p(c.impressions[row]);
    out[offset + 6] = (float) Math.log1p(c.prices[row]);
    out[offset + 7] = kind == ItemKind.VIDEO.code() ? 1f : 0f;
    out[offset + 8] = kind == ItemKind.LIVE_STREAM.code() ? 1f : 0f;
    out[offset + 11] = (float) Math.log1p((c.watchSeconds[row] + 30f) / (c.clicks[row] + 1f));
  }

  /**
   * As {@link #compute(Catalog, Embeddings, int, Context, long, float[], int, int)}, item-only
   * features from a table.
   */
  public static void compute(
      ItemStatics statics,
      Embeddings itemEmbeddings,
      int row,
      Context ctx,
      long timeMs,
      float[] out,
      int offset,
      int columns) {
    int s = row * STATIC_COLUMNS.length;
    for (int j = 0; j < STATIC_COLUMNS.length; j++) {
      out[offset + STATIC_COLUMNS[j]] = statics.table[s + j];
    }
    userDependent(statics.catalog, itemEmbeddings, row, ctx, timeMs, out, offset, columns);
  }

  /**
   * Writes the features of catalog row {@code row}, shown at {@code timeMs}, into {@code out[offset
   * .. offset + columns)}; columns is {@link #PRERANK_COUNT} or {@link #COUNT}.
   */
  public static void compute(
      Catalog c,
      Embeddings itemEmbeddings,
      int row,
      Context ctx,
      long timeMs,
      float[] out,
      int offset,
      int columns) {
    itemOnly(c, row, out, offset);
    userDependent(c, itemEmbeddings, row, ctx, timeMs, out, offset, columns);
  }

  /**
   * The features of catalog rows {@code rows[0, n)} into {@code out} (row i at {@code i * columns};
   * a negative row, an unknown item, leaves its row untouched): the same values as {@link #compute}
   * row by row. The user-item dot products of the batch are computed first, several rows side by
   * side ({@link VectorMath#dotsAt}): the candidates' embeddings lie scattered over the table, and
   * one after the other each waited on memory (JFR: the largest part of prerank).
   */
  public static void computeBatch(
      ItemStatics statics,
      Embeddings itemEmbeddings,
      int[] rows,
      int n,
      Context ctx,
      long timeMs,
      float[] out,
      int columns) {
    int d = itemEmbeddings.dimension();
    float[] dots = new float[n];
    if (ctx.userVector.length == d && d > 0) {
      int[] offsets = new int[n];
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (rows[i] >= 0) {
          offsets[m++] = rows[i] * d;
        }
      }
      float[] packed = new float[m];
      VectorMath.dotsAt(itemEmbeddings.data(), offsets, m, d, ctx.userVector, packed);
      for (int i = 0, j = 0; i < n; i++) {
        if (rows[i] >= 0) {
          dots[i] = packed[j++];
        }
      }
    }
    for (int i = 0; i < n; i++) {
      int row = rows[i];
      if (row < 0) {
        continue;
      }
      int offset = i * columns;
      int s = row * STATIC_COLUMNS.length;
      for (int j = 0; j < STATIC_COLUMNS.length; j++) {
        out[offset + STATIC_COLUMNS[j]] = statics.table[s + j];
      }
      userDependent(
          statics.catalog, itemEmbeddings, row, ctx, timeMs, out, offset, columns, dots[i]);
    }
  }

  /** The dot product of the user vector with the row's embedding, 0 when either is missing. */
  private static float userItemDot(Embeddings itemEmbeddings, int row, Context ctx) {
    int d = itemEmbeddings.dimension();
    float dot = 0;
    if (ctx.userVector.length == d && d > 0) {
      float[] e = itemEmbeddings.data();
      int o = row * d;
      // One accumulator, k ascending: the scalar VectorMath.dotsAt sums in this order too, so batch
      // and row agree exactly there; the vector kernels (JDK 21+) agree to float rounding.
      for (int k = 0; k < d; k++) {
        dot += e[o + k] * ctx.userVector[k];
      }
    }
    return dot;
  }

  private static void userDependent(
      Catalog c,
      Embeddings itemEmbeddings,
      int row,
      Context ctx,
      long timeMs,
      float[] out,
      int offset,
      int columns) {
    userDependent(
        c,
        itemEmbeddings,
        row,
        ctx,
        timeMs,
        out,
        offset,
        columns,
        userItemDot(itemEmbeddings, row, ctx));
  }

  private static void userDependent(
      Catalog c,
      Embeddings itemEmbeddings,
      int row,
      Context ctx,
      long timeMs,
      float[] out,
      int offset,
      int columns,
      float dot) {
    int leaf = c.categories[row];
    out[offset + 3] = ctx.user.leafAffinity(leaf);
    out[offset + 4] = ctx.user.parentAffinity(leaf);
    out[offset + 5] = ctx.user.priceFit(c.prices[row]);
    int d = itemEmbeddings.dimension();
    out[offset + 9] = dot;
    double ageDays = Math.max(0, (timeMs - c.createdMs[row]) / 86_400_000.0);
    out[offset + 10] = (float) Math.exp(-ageDays / 7);
    if (columns <= PRERANK_COUNT) {
      return;
    }
    float max = 0;
    float sum = 0;
    if (ctx.recentCount > 0 && d > 0) {
      float[] e = itemEmbeddings.data();
      int o = row * d;
      float norm = 0;
      for (int k = 0; k < d; k++) {
        norm += e[o + k] * e[o + k];
      }
      float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
      max = -1;
      for (int j = 0; j < ctx.recentCount; j++) {
        float s = 0;
        int r = j * d;
        for (int k = 0; k < d; k++) {
          s += e[o + k] * ctx.recentUnit[r + k];
        }
        s *= inv;
        max = Math.max(max, s);
        sum += s;
      }
    }
    out[offset + 12] = max;
    out[offset + 13] = ctx.recentCount > 0 ? sum / ctx.recentCount : 0f;
    int sameSeller = 0;
    for (long s : ctx.recentSellers) {
      sameSeller += s == c.sellers[row] ? 1 : 0;
    }
    out[offset + 14] =
        ctx.recentSellers.length == 0 ? 0f : sameSeller / (float) ctx.recentSellers.length;
    double hour = Math.floorMod(timeMs, 86_400_000L) / 3_600_000.0;
    out[offset + 15] = (float) Math.sin(2 * Math.PI * hour / 24);
    out[offset + 16] = (float) Math.cos(2 * Math.PI * hour / 24);
    out[offset + 17] = ctx.user.coldStart ? 1f : 0f;
  }
}
