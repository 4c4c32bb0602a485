package io.rankingcluster.rank;

import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import java.util.SplittableRandom;

/**
 * Rank models for tests: the shape the offline trainer ships (18 inputs, hidden 32 and 16, a click
 * and a conversion probability head and a log1p watch-seconds regression head) with weights drawn
 * as an initialiser would and training leaves them (He-scaled Gaussian layers, non-trivial biases
 * and Platt calibration), and standardisation statistics of the spread real features have.
 */
final class TestRankModels {
  private TestRankModels() {}

  static MultiTaskModel random(String version, long seed) {
    return random(version, seed, RankFeatures.COUNT, new int[] {32, 16});
  }

  static MultiTaskModel random(String version, long seed, int inputs, int[] hidden) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] mean = new float[inputs];
    float[] invStd = new float[inputs];
    for (int k = 0; k < inputs; k++) {
      mean[k] = (float) (rnd.nextGaussian() * 2);
      invStd[k] = (float) (1 / (0.05 + rnd.nextDouble() * 3));
    }
    float[][] w = new float[hidden.length][];
    float[][] b = new float[hidden.length][];
    int width = inputs;
    for (int l = 0; l < hidden.length; l++) {
      w[l] = gaussian(rnd, hidden[l] * width, Math.sqrt(2.0 / width));
      b[l] = gaussian(rnd, hidden[l], 0.1);
      width = hidden[l];
    }
    int heads = 3;
    float[] hw = gaussian(rnd, heads * width, Math.sqrt(1.0 / width));
    float[] hb = {-2.5f, -1.2f, 2.8f}; // rare clicks, rarer conversions, ~16 s of watch time
    byte[] kinds = {
      MultiTaskModel.PROBABILITY, MultiTaskModel.PROBABILITY, MultiTaskModel.LOG1P_REGRESSION
    };
    float[] a = {0.93f, 1.11f, 1f};
    float[] bb = {-0.17f, 0.08f, 0f};
    return new MultiTaskModel(version, mean, invStd, hidden, w, b, hw, hb, kinds, a, bb);
  }

  private static float[] gaussian(SplittableRandom rnd, int n, double sd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextGaussian() * sd);
    }
    return v;
  }
}
