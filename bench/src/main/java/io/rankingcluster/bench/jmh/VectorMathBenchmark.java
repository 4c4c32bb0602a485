package io.rankingcluster.bench.jmh;

import io.rankingcluster.core.embed.VectorMath;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dot-product loop under the exact scan and the HNSW scorer: one pass over {@code rows}
 * 64-dimensional rows against one query, as the exact scan does it (per row: ns = score / rows).
 * Variants: the plain loop, VectorMath.dot (4 independent sums), and 8 sums; the two batch kernels
 * as the services call them (run with {@code -jvmArgsAppend --add-modules=jdk.incubator.vector} on
 * JDK 21+ for the vector-API kernels).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VectorMathBenchmark {
  @Param({"4096", "200000"})
  int rows;

  static final int D = 64;
  float[] data;
  float[] query;
  float[] out;
  int[] scattered;

  @Setup
  public void setup() {
    Random r = new Random(1);
    data = new float[rows * D];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    query = new float[D];
    for (int i = 0; i < D; i++) {
      query[i] = (float) r.nextGaussian();
    }
    out = new float[rows];
    // 2,000 rows spread over the table, as a prerank batch or the graph's neighbours read them.
    scattered = new int[2000];
    for (int i = 0; i < scattered.length; i++) {
      scattered[i] = r.nextInt(rows) * D;
    }
  }

  /** The exact scan's kernel as the services call it (scalar, or the vector API on JDK 21+). */
  @Benchmark
  public float dotsKernel() {
    VectorMath.dots(data, 0, rows, D, query, out);
    return out[rows - 1];
  }

  /** The scattered-rows kernel (prerank, HNSW neighbours) over 2,000 rows: ns per call / 2,000. */
  @Benchmark
  public float dotsAtScattered() {
    VectorMath.dotsAt(data, scattered, scattered.length, D, query, out);
    return out[scattered.length - 1];
  }

  @Benchmark
  public float plainLoop() {
    float best = Float.NEGATIVE_INFINITY;
    for (int row = 0, o = 0; row < rows; row++, o += D) {
      float s = 0;
      for (int k = 0; k < D; k++) {
        s += data[o + k] * query[k];
      }
      best = Math.max(best, s);
    }
    return best;
  }

  @Benchmark
  public float vectorMathDot() {
    float best = Float.NEGATIVE_INFINITY;
    for (int row = 0, o = 0; row < rows; row++, o += D) {
      best = Math.max(best, VectorMath.dot(data, o, query, 0, D));
    }
    return best;
  }

  @Benchmark
  public float eightSums() {
    float best = Float.NEGATIVE_INFINITY;
    for (int row = 0, o = 0; row < rows; row++, o += D) {
      best = Math.max(best, dot8(data, o, query, D));
    }
    return best;
  }

  @Benchmark
  public float fourRowsAtOnce() {
    float best = Float.NEGATIVE_INFINITY;
    float[] a = data;
    float[] q = query;
    int row = 0;
    for (int o = 0; row + 3 < rows; row += 4, o += 4 * D) {
      // Each query element is loaded once for four rows: 1.25 loads per multiply-add instead of 2.
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int k = 0; k < D; k++) {
        float x = q[k];
        s0 += a[o + k] * x;
        s1 += a[o + D + k] * x;
        s2 += a[o + 2 * D + k] * x;
        s3 += a[o + 3 * D + k] * x;
      }
      best = Math.max(best, Math.max(Math.max(s0, s1), Math.max(s2, s3)));
    }
    for (; row < rows; row++) {
      best = Math.max(best, VectorMath.dot(a, row * D, q, 0, D));
    }
    return best;
  }

  static float dot8(float[] a, int ao, float[] b, int d) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int k = 0;
    for (int end = d & ~7; k < end; k += 8) {
      s0 += a[ao + k] * b[k];
      s1 += a[ao + k + 1] * b[k + 1];
      s2 += a[ao + k + 2] * b[k + 2];
      s3 += a[ao + k + 3] * b[k + 3];
      s4 += a[ao + k + 4] * b[k + 4];
      s5 += a[ao + k + 5] * b[k + 5];
      s6 += a[ao + k + 6] * b[k + 6];
      s7 += a[ao + k + 7] * b[k + 7];
    }
    for (; k < d; k++) {
      s0 += a[ao + k] * b[k];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }
}
