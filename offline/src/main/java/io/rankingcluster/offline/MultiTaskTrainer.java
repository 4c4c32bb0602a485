package io.rankingcluster.offline;

import io.rankingcluster.core.model.MultiTaskModel;
import java.util.SplittableRandom;

/**
 * Trains a {@link MultiTaskModel} with Adam on mini-batches, deterministic for a seed:
 *
 * <ul>
 *   <li>click head: logistic loss on every impression, plus a learned per-position bias added to
 *       the click logit during training only (the position an item was shown at explains part of
 *       its clicks; serving asks "would it be clicked in the top slot", so the bias of position 1
 *       is folded into the head);
 *   <li>conversion head (optional), ESMM-style: trained over all impressions through pCTCVR = pCTR
 *       x pCVR against purchases, so pCVR is learned on the whole impression space and not only on
 *       clicks (no sample selection bias);
 *   <li>watch head (optional): squared error on log1p(watch seconds) over clicked videos and
 *       streams.
 * </ul>
 *
 * After training, each probability head is calibrated by Platt scaling on a validation set.
 */
public final class MultiTaskTrainer {
  /** Settings. */
  public record Config(
      int[] hidden,
      boolean conversionHead,
      boolean watchHead,
      int epochs,
      int batch,
      float learningRate,
      float l2,
      long seed) {}

  /**
   * Training data: row-major features and labels; positions are 1-based slots (used in training
   * only).
   */
  public record Data(
      float[] x,
      int n,
      int features,
      boolean[] click,
      boolean[] purchase,
      float[] watch,
      boolean[] hasWatch,
      byte[] position) {}

  /** The model plus the training-only position biases (for evaluating on logged positions). */
  public record Trained(MultiTaskModel model, float[] positionBias) {}

  private static final int POSITIONS = 21;

  public static Trained train(String version, Data train, Data validation, Config c, Steps steps) {
    int f = train.features();
    SplittableRandom rnd = new SplittableRandom(c.seed());
    // Standardisation from the training data.
    float[] mean = new float[f];
    float[] invStd = new float[f];
    for (int i = 0; i < train.n(); i++) {
      for (int k = 0; k < f; k++) {
        mean[k] += train.x()[i * f + k];
      }
    }
    for (int k = 0; k < f; k++) {
      mean[k] /= Math.max(1, train.n());
    }
    for (int i = 0; i < train.n(); i++) {
      for (int k = 0; k < f; k++) {
        float d = train.x()[i * f + k] - mean[k];
        invStd[k] += d * d;
      }
    }
    for (int k = 0; k < f; k++) {
      float sd = (float) Math.sqrt(invStd[k] / Math.max(1, train.n()));
      invStd[k] = sd > 1e-6f ? 1f / sd : 0f;
    }
    int heads = 1 + (c.conversionHead() ? 1 : 0) + (c.watchHead() ? 1 : 0);
    int[] widths = new int[c.hidden().length + 1];
    widths[0] = f;
    System.arraycopy(c.hidden(), 0, widths, 1, c.hidden().length);
    int layers = c.hidden().length;
    Param[] w = new Param[layers];
    Param[] b = new Param[layers];
    for (int l = 0; l < layers; l++) {
      w[l] = Param.he(widths[l + 1] * widths[l], widths[l], rnd);
      b[l] = new Param(widths[l + 1]);
    }
    int last = widths[layers];
    Param hw = Param.he(heads * last, last, rnd);
    Param hb = new Param(heads);
    Param pos = new Param(POSITIONS);
    int conv = c.conversionHead() ? 1 : -1;
    int watchHead = c.watchHead() ? heads - 1 : -1;

    int maxW = 0;
    for (int wd : widths) {
      maxW = Math.max(maxW, wd);
    }
    float[][] act = new float[layers + 1][];
    float[][] grad = new float[layers + 1][];
    for (int l = 0; l <= layers; l++) {
      act[l] = new float[widths[l]];
      grad[l] = new float[widths[l]];
    }
    float[] z = new float[heads];
    float[] dz = new float[heads];
    int[] order = new int[train.n()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Adam adam = new Adam(c.learningRate());
    long step = 0;
    for (int epoch = 0; epoch < c.epochs(); epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      double lossSum = 0;
      for (int start = 0; start < order.length; start += c.batch()) {
        int end = Math.min(order.length, start + c.batch());
        for (int s = start; s < end; s++) {
          int i = order[s];
          // Forward.
          for (int k = 0; k < f; k++) {
            act[0][k] = (train.x()[i * f + k] - mean[k]) * invStd[k];
          }
          for (int l = 0; l < layers; l++) {
            for (int j = 0; j < widths[l + 1]; j++) {
              float v = b[l].v[j];
              int o = j * widths[l];
              for (int k = 0; k < widths[l]; k++) {
                v += w[l].v[o + k] * act[l][k];
              }
              act[l + 1][j] = v > 0 ? v : 0f;
            }
          }
          for (int h = 0; h < heads; h++) {
            float v = hb.v[h];
            for (int k = 0; k < last; k++) {
              v += hw.v[h * last + k] * act[layers][k];
            }
            z[h] = v;
          }
          int p = Math.min(POSITIONS - 1, Math.max(1, train.position()[i]));
          // Click loss with the training-only position bias.
          float pc = sigmoid(z[0] + pos.v[p]);
          float yc = train.click()[i] ? 1f : 0f;
          dz[0] = pc - yc;
          lossSum +=
              -(yc * Math.log(Math.max(1e-7, pc)) + (1 - yc) * Math.log(Math.max(1e-7, 1 - pc)));
          if (conv >= 0) {
            float pv = sigmoid(z[conv]);
            float q = Math.min(1 - 1e-6f, Math.max(1e-6f, pc * pv));
            float y = train.purchase()[i] ? 1f : 0f;
            float dq = -y / q + (1 - y) / (1 - q);
            dz[0] += dq * pv * pc * (1 - pc);
            dz[conv] = dq * pc * pv * (1 - pv);
            lossSum += -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
          }
          if (watchHead >= 0) {
            dz[watchHead] =
                train.hasWatch()[i]
                    ? 0.2f * (z[watchHead] - (float) Math.log1p(train.watch()[i]))
                    : 0f;
          }
          pos.g[p] += dz[0];
          // Backward.
          java.util.Arrays.fill(grad[layers], 0f);
          for (int h = 0; h < heads; h++) {
            hb.g[h] += dz[h];
            for (int k = 0; k < last; k++) {
              hw.g[h * last + k] += dz[h] * act[layers][k];
              grad[layers][k] += dz[h] * hw.v[h * last + k];
            }
          }
          for (int l = layers - 1; l >= 0; l--) {
            java.util.Arrays.fill(grad[l], 0f);
            for (int j = 0; j < widths[l + 1]; j++) {
              float gj = act[l + 1][j] > 0 ? grad[l + 1][j] : 0f;
              if (gj == 0f) {
                continue;
              }
              b[l].g[j] += gj;
              int o = j * widths[l];
              for (int k = 0; k < widths[l]; k++) {
                w[l].g[o + k] += gj * act[l][k];
                grad[l][k] += gj * w[l].v[o + k];
              }
            }
          }
        }
        step++;
        float scale = 1f / (end - start);
        for (int l = 0; l < layers; l++) {
          adam.update(w[l], scale, c.l2(), step);
          adam.update(b[l], scale, 0f, step);
        }
        adam.update(hw, scale, c.l2(), step);
        adam.update(hb, scale, 0f, step);
        pos.g[1] =
            0f; // position 1 is the reference: its bias stays 0, so serving needs no position term
        adam.update(pos, scale, 0f, step);
        if (steps != null && (step & 127) == 0) {
          steps.progress(
              (long) epoch * order.length + end, (long) c.epochs() * order.length, "samples");
        }
      }
      final int ep = epoch;
      final double avg = lossSum / Math.max(1, order.length);
      if (steps != null) {
        steps.progress(
            (long) (ep + 1) * order.length,
            (long) c.epochs() * order.length,
            String.format(
                java.util.Locale.ROOT, "samples (epoch %d training loss %.4f)", ep + 1, avg));
      }
    }
    float[][] weights = new float[layers][];
    float[][] biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      weights[l] = w[l].v;
      biases[l] = b[l].v;
    }
    byte[] kinds = new byte[heads];
    kinds[0] = MultiTaskModel.PROBABILITY;
    if (conv >= 0) {
      kinds[conv] = MultiTaskModel.PROBABILITY;
    }
    if (watchHead >= 0) {
      kinds[watchHead] = MultiTaskModel.LOG1P_REGRESSION;
    }
    float[] a = new float[heads];
    float[] bb = new float[heads];
    java.util.Arrays.fill(a, 1f);
    MultiTaskModel raw =
        new MultiTaskModel(
            version, mean, invStd, c.hidden().clone(), weights, biases, hw.v, hb.v, kinds, a, bb);
    // Platt scaling of the click head on validation, at the logged positions (bias added), so that
    // the
    // calibrated model predicts the top-slot probability when served without a position term.
    Platt clickPlatt = Platt.fit(raw, validation, 0, pos.v, null);
    a[0] = clickPlatt.a;
    bb[0] = clickPlatt.b;
    if (conv >= 0) {
      // pCVR is not observed on its own; calibrate it on clicked validation impressions (purchase |
      // click).
      Platt cvr = Platt.fit(raw, validation, conv, null, validation.click());
      a[conv] = cvr.a;
      bb[conv] = cvr.b;
    }
    return new Trained(
        new MultiTaskModel(
            version, mean, invStd, c.hidden().clone(), weights, biases, hw.v, hb.v, kinds, a, bb),
        pos.v.clone());
  }

  static float sigmoid(float x) {
    return 1f / (1f + (float) Math.exp(-x));
  }

  /** A parameter tensor with its gradient and Adam moments. */
  static final class Param {
    final float[] v;
    final float[] g;
    final float[] m;
    final float[] s;

    Param(int n) {
      v = new float[n];
      g = new float[n];
      m = new float[n];
      s = new float[n];
    }

    static Param he(int n, int fanIn, SplittableRandom rnd) {
      Param p = new Param(n);
      double sd = Math.sqrt(2.0 / Math.max(1, fanIn));
      for (int i = 0; i < n; i++) {
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        p.v[i] = (float) (sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
      }
      return p;
    }
  }

  /** Adam (Kingma and Ba 2015) with L2 weight decay added to the gradient. */
  static final class Adam {
    final float lr;

    Adam(float lr) {
      this.lr = lr;
    }

    void update(Param p, float scale, float l2, long t) {
      float b1 = 0.9f;
      float b2 = 0.999f;
      float c1 = (float) (1 - Math.pow(b1, t));
      float c2 = (float) (1 - Math.pow(b2, t));
      for (int i = 0; i < p.v.length; i++) {
        float g = p.g[i] * scale + l2 * p.v[i];
        p.m[i] = b1 * p.m[i] + (1 - b1) * g;
        p.s[i] = b2 * p.s[i] + (1 - b2) * g * g;
        p.v[i] -= lr * (p.m[i] / c1) / ((float) Math.sqrt(p.s[i] / c2) + 1e-8f);
        p.g[i] = 0f;
      }
    }
  }

  /** Platt scaling: fits sigmoid(a * logit + b) to labels by a few Newton steps on the log loss. */
  static final class Platt {
    final float a;
    final float b;

    Platt(float a, float b) {
      this.a = a;
      this.b = b;
    }

    /**
     * @param positionBias added to the logit at each sample's logged position (click head), or null
     * @param only restrict to these samples (e.g. clicked ones), or null for all
     */
    static Platt fit(MultiTaskModel model, Data d, int head, float[] positionBias, boolean[] only) {
      float[] logits = Evaluate.logits(model, d, head);
      double a = 1;
      double b = 0;
      for (int iter = 0; iter < 25; iter++) {
        double gA = 0;
        double gB = 0;
        double hAA = 1e-6;
        double hAB = 0;
        double hBB = 1e-6;
        for (int i = 0; i < d.n(); i++) {
          if (only != null && !only[i]) {
            continue;
          }
          double l = logits[i];
          double off =
              positionBias == null
                  ? 0
                  : positionBias[Math.min(POSITIONS - 1, Math.max(1, d.position()[i]))];
          double p = 1 / (1 + Math.exp(-(a * l + b + off)));
          double y = head == 0 ? (d.click()[i] ? 1 : 0) : (d.purchase()[i] ? 1 : 0);
          double r = p - y;
          double wgt = p * (1 - p);
          gA += r * l;
          gB += r;
          hAA += wgt * l * l;
          hAB += wgt * l;
          hBB += wgt;
        }
        double det = hAA * hBB - hAB * hAB;
        if (Math.abs(det) < 1e-12) {
          break;
        }
        a -= (hBB * gA - hAB * gB) / det;
        b -= (hAA * gB - hAB * gA) / det;
      }
      return new Platt((float) a, (float) b);
    }
  }

  /** Raw head outputs for evaluation. */
  static final class Evaluate {
    private Evaluate() {}

    /**
     * The uncalibrated logit of a probability head for every row of d (Platt a=1, b=0 assumed on
     * the model).
     */
    static float[] logits(MultiTaskModel model, Data d, int head) {
      float[] out = new float[d.n() * model.heads()];
      model.predict(d.x(), d.n(), out, new float[2 * model.maxWidth()]);
      float[] logits = new float[d.n()];
      for (int i = 0; i < d.n(); i++) {
        float p = Math.min(1 - 1e-7f, Math.max(1e-7f, out[i * model.heads() + head]));
        logits[i] = (float) Math.log(p / (1 - p));
      }
      return logits;
    }
  }
}
