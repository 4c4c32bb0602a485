package io.rankingcluster.core.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scalar and the vector-API kernels compute the same dot products, to float rounding. */
class VectorMathTest {
  private static final VectorMath.Kernels SCALAR = new VectorMath.Scalar();
  // The surefire JVM adds jdk.incubator.vector on every JDK, so the vector kernels run here even on
  // 17, where production keeps them off.
  private static final VectorMath.Kernels VECTOR = new PanamaVectorMath();

  private static float[] randoms(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return out;
  }

  private static float exact(float[] a, int ao, float[] b, int bo, int d) {
    double s = 0;
    for (int k = 0; k < d; k++) {
      s += (double) a[ao + k] * b[bo + k];
    }
    return (float) s;
  }

  @Test
  void dot_everyDimensionAndOffset_bothKernelsMatchTheDoubleSum() {
    float[] a = randoms(300, 1);
    float[] b = randoms(300, 2);
    for (int d : new int[] {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 128}) {
      for (int ao : new int[] {0, 1, 5, 60}) {
        float want = exact(a, ao, b, 3, d);
        assertEquals(want, SCALAR.dot(a, ao, b, 3, d), 1e-4f, "scalar d=" + d + " ao=" + ao);
        assertEquals(want, VECTOR.dot(a, ao, b, 3, d), 1e-4f, "vector d=" + d + " ao=" + ao);
      }
    }
  }

  @Test
  void dotsAndDotsAt_rowsOfABatch_equalTheirOwnDotWhateverTheCount() {
    int d = 64;
    int rows = 203;
    float[] data = randoms(rows * d, 3);
    float[] q = randoms(d, 4);
    for (VectorMath.Kernels k : new VectorMath.Kernels[] {SCALAR, VECTOR}) {
      for (int count : new int[] {1, 3, 4, 5, 11, 200}) {
        float[] seq = new float[count];
        k.dots(data, d, count, d, q, seq);
        int[] offsets = new int[count];
        for (int i = 0; i < count; i++) {
          offsets[i] = ((i * 37) % rows) * d; // scattered, as graph neighbours are
        }
        float[] at = new float[count];
        k.dotsAt(data, offsets, count, d, q, at);
        for (int i = 0; i < count; i++) {
          assertEquals(exact(data, d + i * d, q, 0, d), seq[i], 1e-4f, k.name() + " dots " + i);
          assertEquals(exact(data, offsets[i], q, 0, d), at[i], 1e-4f, k.name() + " dotsAt " + i);
        }
      }
    }
  }

  @Test
  void scalarDotsAt_aRowsScore_isTheOneAccumulatorSumWhateverItsPlaceInTheBatch() {
    int d = 64;
    float[] data = randoms(9 * d, 5);
    float[] q = randoms(d, 6);
    int[] offsets = {8 * d, 0, 3 * d, 5 * d, 8 * d};
    float[] out = new float[offsets.length];
    SCALAR.dotsAt(data, offsets, offsets.length, d, q, out);
    for (int i = 0; i < offsets.length; i++) {
      float s = 0;
      for (int k = 0; k < d; k++) {
        s += data[offsets[i] + k] * q[k];
      }
      assertEquals(s, out[i], 0f, "row " + i);
    }
    // The same row in the batch of four and in the tail of one: bit for bit.
    assertEquals(out[0], out[4], 0f);
  }

  @Test
  void kernels_onThisJdk_scalarBelow21_vectorFrom21WithTheModule() {
    String expected =
        Runtime.version().feature() >= VectorMath.VECTOR_FLOOR ? VECTOR.name() : "scalar";
    assertEquals(expected, VectorMath.kernels());
  }
}
