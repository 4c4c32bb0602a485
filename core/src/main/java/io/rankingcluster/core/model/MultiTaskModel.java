package io.rankingcluster.core.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A small multi-task network and its batched inference: standardised inputs, a shared bottom of
 * dense ReLU layers, and linear heads. A head is either a probability (logistic, then Platt
 * calibration {@code sigmoid(a * logit + b)}) or a regression of {@code log1p(target)} (returned as
 * {@code expm1}). With no hidden layers it is a (multi-output) logistic regression: the prerank
 * model.
 *
 * <p>Inference runs over a row-major feature matrix for a whole batch, reusing caller-provided
 * buffers, so the hot path allocates nothing per candidate.
 */
public final class MultiTaskModel implements HeadModel {
  /** Head kinds. */
  public static final byte PROBABILITY = 0;

  public static final byte LOG1P_REGRESSION = 1;

  private static final int MAGIC = 0x52434d31; // "RCM1"

  final int inputs;
  final float[] mean;
  final float[] invStd;

  /** Hidden layer sizes; weights[l] is out x in row-major, biases[l] has out entries. */
  final int[] hidden;

  final float[][] weights;
  final float[][] biases;

  /** Heads: weights heads x lastWidth row-major, bias per head, kind, Platt a and b. */
  final float[] headWeights;

  final float[] headBias;
  final byte[] headKinds;
  final float[] plattA;
  final float[] plattB;
  final String version;

  public MultiTaskModel(
      String version,
      float[] mean,
      float[] invStd,
      int[] hidden,
      float[][] weights,
      float[][] biases,
      float[] headWeights,
      float[] headBias,
      byte[] headKinds,
      float[] plattA,
      float[] plattB) {
    this.version = version;
    this.inputs = mean.length;
    this.mean = mean;
    this.invStd = invStd;
    this.hidden = hidden;
    this.weights = weights;
    this.biases = biases;
    this.headWeights = headWeights;
    this.headBias = headBias;
    this.headKinds = headKinds;
    this.plattA = plattA;
    this.plattB = plattB;
    int width = inputs;
    for (int l = 0; l < hidden.length; l++) {
      if (weights[l].length != hidden[l] * width || biases[l].length != hidden[l]) {
        throw new IllegalArgumentException(
            "model " + version + ": layer " + l + " has the wrong shape");
      }
      width = hidden[l];
    }
    if (headWeights.length != headKinds.length * width
        || headBias.length != headKinds.length
        || plattA.length != headKinds.length
        || plattB.length != headKinds.length
        || invStd.length != inputs) {
      throw new IllegalArgumentException("model " + version + ": heads have the wrong shape");
    }
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public int inputs() {
    return inputs;
  }

  @Override
  public int heads() {
    return headKinds.length;
  }

  /** Hidden layer sizes, first to last (empty: a linear model). */
  public int[] hidden() {
    return hidden.clone();
  }

  /** Per-feature mean subtracted before scaling. */
  public float[] mean() {
    return mean.clone();
  }

  /** Per-feature scale applied after subtracting the mean. */
  public float[] invStd() {
    return invStd.clone();
  }

  /** Weights of hidden layer {@code l}: out x in, row-major. */
  public float[] layerWeights(int l) {
    return weights[l].clone();
  }

  /** Biases of hidden layer {@code l}. */
  public float[] layerBiases(int l) {
    return biases[l].clone();
  }

  /** Head weights: heads x last width, row-major. */
  public float[] headWeights() {
    return headWeights.clone();
  }

  public float[] headBias() {
    return headBias.clone();
  }

  /** Per head: {@link #PROBABILITY} or {@link #LOG1P_REGRESSION}. */
  public byte[] headKinds() {
    return headKinds.clone();
  }

  /** Platt scale per head (used by probability heads). */
  public float[] plattA() {
    return plattA.clone();
  }

  /** Platt offset per head (used by probability heads). */
  public float[] plattB() {
    return plattB.clone();
  }

  /**
   * As {@link #predict(float[], int, float[], float[])} with scratch of its own: {@code 2 *
   * maxWidth()} floats (a few hundred bytes) per batch, cheaper than a ThreadLocal lookup and never
   * shared between threads.
   */
  @Override
  public void predict(float[] features, int n, float[] out) {
    predict(features, n, out, new float[2 * maxWidth()]);
  }

  /** The widest layer: the size of one row of scratch that {@link #predict} needs (times two). */
  public int maxWidth() {
    int w = inputs;
    for (int h : hidden) {
      w = Math.max(w, h);
    }
    return w;
  }

  /**
   * Predicts every head for {@code n} rows of {@code features} (row-major, {@link #inputs()}
   * columns) into {@code out} (row-major, {@link #heads()} columns). {@code scratch} needs {@code 2
   * * maxWidth()} floats.
   */
  public void predict(float[] features, int n, float[] out, float[] scratch) {
    int w = maxWidth();
    for (int i = 0; i < n; i++) {
      int a = 0;
      int b = w;
      int fo = i * inputs;
      for (int k = 0; k < inputs; k++) {
        scratch[a + k] = (features[fo + k] - mean[k]) * invStd[k];
      }
      int width = inputs;
      for (int l = 0; l < hidden.length; l++) {
        float[] W = weights[l];
        float[] B = biases[l];
        int outW = hidden[l];
        for (int j = 0; j < outW; j++) {
          float s = B[j];
          int wo = j * width;
          for (int k = 0; k < width; k++) {
            s += W[wo + k] * scratch[a + k];
          }
          scratch[b + j] = s > 0 ? s : 0f;
        }
        int t = a;
        a = b;
        b = t;
        width = outW;
      }
      for (int h = 0; h < headKinds.length; h++) {
        float s = headBias[h];
        int ho = h * width;
        for (int k = 0; k < width; k++) {
          s += headWeights[ho + k] * scratch[a + k];
        }
        out[i * headKinds.length + h] =
            headKinds[h] == PROBABILITY
                ? sigmoid(plattA[h] * s + plattB[h])
                : (float) Math.expm1(Math.max(-10f, Math.min(20f, s)));
      }
    }
  }

  static float sigmoid(float x) {
    return 1f / (1f + (float) Math.exp(-x));
  }

  /**
   * Serialises to the snapshot's model file format (big-endian DataOutput; documented in
   * docs/models.md).
   */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeUTF(version);
      out.writeInt(inputs);
      writeFloats(out, mean);
      writeFloats(out, invStd);
      out.writeInt(hidden.length);
      for (int l = 0; l < hidden.length; l++) {
        out.writeInt(hidden[l]);
        writeFloats(out, weights[l]);
        writeFloats(out, biases[l]);
      }
      out.writeInt(headKinds.length);
      out.write(headKinds);
      writeFloats(out, headWeights);
      writeFloats(out, headBias);
      writeFloats(out, plattA);
      writeFloats(out, plattB);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a model written by {@link #toBytes()}; a malformed file throws naming the problem. */
  public static MultiTaskModel fromBytes(byte[] data, String name) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException(
            "model " + name + ": not a ranking-cluster model file (bad magic)");
      }
      String version = in.readUTF();
      int inputs = in.readInt();
      float[] mean = readFloats(in, inputs);
      float[] invStd = readFloats(in, inputs);
      int layers = in.readInt();
      int[] hidden = new int[layers];
      float[][] w = new float[layers][];
      float[][] b = new float[layers][];
      int width = inputs;
      for (int l = 0; l < layers; l++) {
        hidden[l] = in.readInt();
        w[l] = readFloats(in, hidden[l] * width);
        b[l] = readFloats(in, hidden[l]);
        width = hidden[l];
      }
      int heads = in.readInt();
      byte[] kinds = in.readNBytes(heads);
      return new MultiTaskModel(
          version,
          mean,
          invStd,
          hidden,
          w,
          b,
          readFloats(in, heads * width),
          readFloats(in, heads),
          kinds,
          readFloats(in, heads),
          readFloats(in, heads));
    } catch (IOException | NegativeArraySizeException | OutOfMemoryError e) {
      throw new IllegalArgumentException("model " + name + ": truncated or malformed (" + e + ")");
    }
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float x : v) {
      out.writeFloat(x);
    }
  }

  private static float[] readFloats(DataInputStream in, int expected) throws IOException {
    int n = in.readInt();
    if (n != expected) {
      throw new IOException("expected " + expected + " floats, found " + n);
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }
}
