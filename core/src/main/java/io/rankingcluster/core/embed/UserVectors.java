package io.rankingcluster.core.embed;

/**
 * The user vector sent to recall and the rankers: the long-term vector (the user's factor from the
 * snapshot) moved towards what the user looked at lately (the mean embedding of the recent items).
 */
public final class UserVectors {
  private UserVectors() {}

  /**
   * {@code longTerm + w * (|longTerm| / |mean|) * mean} where {@code mean} averages the non-null
   * {@code recent} vectors: the recent part is scaled to the long-term vector's length, so {@code
   * w} is a true mixing weight whatever the scales of user and item factors. With no long-term
   * vector the mean itself; with no recent vector the long-term one unchanged (either may be null;
   * null when both are). Never modifies its inputs.
   */
  public static float[] blend(float[] longTerm, float[][] recent, float w) {
    float[] mean = null;
    int count = 0;
    for (float[] v : recent) {
      if (v == null
          || (longTerm != null && v.length != longTerm.length)
          || (mean != null && v.length != mean.length)) {
        continue;
      }
      if (mean == null) {
        mean = new float[v.length];
      }
      for (int k = 0; k < v.length; k++) {
        mean[k] += v[k];
      }
      count++;
    }
    if (mean == null) {
      return longTerm == null ? null : longTerm.clone();
    }
    for (int k = 0; k < mean.length; k++) {
      mean[k] /= count;
    }
    if (longTerm == null) {
      return mean;
    }
    double ln = norm(longTerm);
    double mn = norm(mean);
    float scale = mn > 0 && ln > 0 ? (float) (w * ln / mn) : 0f;
    float[] out = longTerm.clone();
    for (int k = 0; k < out.length; k++) {
      out[k] += scale * mean[k];
    }
    return out;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
