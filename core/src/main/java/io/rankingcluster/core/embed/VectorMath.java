package io.rankingcluster.core.embed;

/**
 * Dot products over row-major float arrays: the primitive loop under every embedding score (the exact
 * scan, the HNSW index's similarity). Pure scalar Java, so it runs the same on every JDK 17+.
 */
public final class VectorMath {
  private VectorMath() {}

  /** The dot product of {@code a[ao, ao + d)} and {@code b[bo, bo + d)}. */
  public static float dot(float[] a, int ao, float[] b, int bo, int d) {
    // Four independent sums: one running float sum is a single dependency chain (an add waits for the
    // previous one), and the JIT may not reorder float additions by itself. Four chains keep the
    // multiply-add units busy; more did not pay at 64 dimensions (bench: VectorMathBenchmark).
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int k = 0;
    for (int end = d & ~3; k < end; k += 4) {
      s0 += a[ao + k] * b[bo + k];
      s1 += a[ao + k + 1] * b[bo + k + 1];
      s2 += a[ao + k + 2] * b[bo + k + 2];
      s3 += a[ao + k + 3] * b[bo + k + 3];
    }
    for (; k < d; k++) {
      s0 += a[ao + k] * b[bo + k];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
