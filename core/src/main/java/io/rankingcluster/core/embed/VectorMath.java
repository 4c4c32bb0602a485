package io.rankingcluster.core.embed;

import java.util.Optional;

/**
 * Dot products over row-major float arrays: the primitive loops under every embedding score (the
 * exact scan, the HNSW scorer, prerank, MMR). Scalar Java on every JDK 17+; on JDK 21+ with
 * jdk.incubator.vector added ({@code --add-modules=jdk.incubator.vector}, which ./cluster passes
 * there) the same kernels run on the vector API ({@link PanamaVectorMath}), whose sums agree with
 * the scalar ones to rounding. {@code -Dranking.vector=false} keeps the scalar kernels.
 */
public final class VectorMath {
  /** One implementation of the three kernels. */
  interface Kernels {
    String name();

    float dot(float[] a, int ao, float[] b, int bo, int d);

    void dots(float[] data, int offset, int count, int d, float[] query, float[] out);

    void dotsAt(float[] data, int[] offsets, int count, int d, float[] query, float[] out);
  }

  /** The first JDK whose vector module this project uses (17's incubator lacked intrinsics). */
  static final int VECTOR_FLOOR = 21;

  private static final Kernels SCALAR = new Scalar();
  private static final Kernels KERNELS = choose();

  private VectorMath() {}

  /** Which kernels run in this JVM, for the logs and /debug: "scalar" or the vector width. */
  public static String kernels() {
    return KERNELS.name();
  }

  private static Kernels choose() {
    boolean wanted = !"false".equals(System.getProperty("ranking.vector"));
    Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
    if (!wanted || vector.isEmpty() || Runtime.version().feature() < VECTOR_FLOOR) {
      return SCALAR;
    }
    try {
      return (Kernels)
          Class.forName("io.rankingcluster.core.embed.PanamaVectorMath")
              .getDeclaredConstructor()
              .newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      // A JDK without the vector API's intrinsics or classes: the scalar kernels are correct.
      return SCALAR;
    }
  }

  /** The dot product of {@code a[ao, ao + d)} and {@code b[bo, bo + d)}. */
  public static float dot(float[] a, int ao, float[] b, int bo, int d) {
    return KERNELS.dot(a, ao, b, bo, d);
  }

  /**
   * The dot products of {@code count} consecutive rows of {@code data} (dimension d, the first at
   * {@code offset}) with {@code query}, into {@code out[0, count)}: the exact scan's kernel.
   */
  public static void dots(float[] data, int offset, int count, int d, float[] query, float[] out) {
    KERNELS.dots(data, offset, count, d, query, out);
  }

  /**
   * The dot products of the rows starting at {@code offsets[0, count)} of {@code data} (dimension
   * d) with {@code query}, into {@code out[0, count)}. For rows scattered over a large table (graph
   * neighbours, a prerank batch): four rows are read side by side, so that four cache misses are in
   * flight at once instead of one (2-2.3x faster than one row after the other on 200k-1M rows of 64
   * floats, measured here). On the scalar kernels each row's sum runs over k ascending with one
   * accumulator, whatever its place in the batch, and equals {@code sum += data[o + k] * query[k]}.
   */
  public static void dotsAt(
      float[] data, int[] offsets, int count, int d, float[] query, float[] out) {
    KERNELS.dotsAt(data, offsets, count, d, query, out);
  }

  /** The scalar kernels, the same on every JDK. */
  static final class Scalar implements Kernels {
    @Override
    public String name() {
      return "scalar";
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int d) {
      // Four independent sums, so that no add waits for the previous one. On the benchmark machine
      // the loop
      // is bound by its two loads per multiply-add instead, and one, four or eight sums time alike
      // (bench: VectorMathBenchmark); four cost nothing and help where the adds are the limit.
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

    @Override
    public void dots(float[] data, int offset, int count, int d, float[] query, float[] out) {
      int i = 0;
      // Four rows at a time: each query element is loaded once for four rows, 1.25 loads per
      // multiply-add
      // instead of 2, which is what bounds the one-row loop (about 1.5x faster,
      // VectorMathBenchmark).
      for (int o = offset; i + 3 < count; i += 4, o += 4 * d) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int k = 0; k < d; k++) {
          float x = query[k];
          s0 += data[o + k] * x;
          s1 += data[o + d + k] * x;
          s2 += data[o + 2 * d + k] * x;
          s3 += data[o + 3 * d + k] * x;
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
      }
      for (; i < count; i++) {
        out[i] = dot(data, offset + i * d, query, 0, d);
      }
    }

    @Override
    public void dotsAt(float[] data, int[] offsets, int count, int d, float[] query, float[] out) {
      int i = 0;
      for (; i + 3 < count; i += 4) {
        int o0 = offsets[i];
        int o1 = offsets[i + 1];
        int o2 = offsets[i + 2];
        int o3 = offsets[i + 3];
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int k = 0; k < d; k++) {
          float x = query[k];
          s0 += data[o0 + k] * x;
          s1 += data[o1 + k] * x;
          s2 += data[o2 + k] * x;
          s3 += data[o3 + k] * x;
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
      }
      for (; i < count; i++) {
        int o = offsets[i];
        float s = 0;
        for (int k = 0; k < d; k++) {
          s += data[o + k] * query[k];
        }
        out[i] = s;
      }
    }
  }
}
