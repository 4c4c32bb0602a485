package io.rankingcluster.core.embed;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link VectorMath} on jdk.incubator.vector: used only on JDK 21+ with the module
 * added (./cluster does both), never loaded otherwise. Each row's sum is lane-wise then reduced in
 * one fixed order, so a row's score still does not depend on its place in a batch; it differs from
 * the scalar sum in the last bits.
 */
final class PanamaVectorMath implements VectorMath.Kernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public String name() {
    return "jdk.incubator.vector, " + S.vectorBitSize() + "-bit";
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int d) {
    FloatVector acc = FloatVector.zero(S);
    int k = 0;
    for (int end = S.loopBound(d); k < end; k += L) {
      acc = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; k < d; k++) {
      s += a[ao + k] * b[bo + k];
    }
    return s;
  }

  @Override
  public void dots(float[] data, int offset, int count, int d, float[] query, float[] out) {
    int i = 0;
    int end = S.loopBound(d);
    // Four rows per pass, as in the scalar kernel: each query lane block is loaded once for four
    // rows.
    for (int o = offset; i + 3 < count; i += 4, o += 4 * d) {
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = FloatVector.zero(S);
      FloatVector a2 = FloatVector.zero(S);
      FloatVector a3 = FloatVector.zero(S);
      int k = 0;
      for (; k < end; k += L) {
        FloatVector q = FloatVector.fromArray(S, query, k);
        a0 = FloatVector.fromArray(S, data, o + k).fma(q, a0);
        a1 = FloatVector.fromArray(S, data, o + d + k).fma(q, a1);
        a2 = FloatVector.fromArray(S, data, o + 2 * d + k).fma(q, a2);
        a3 = FloatVector.fromArray(S, data, o + 3 * d + k).fma(q, a3);
      }
      float s0 = a0.reduceLanes(VectorOperators.ADD);
      float s1 = a1.reduceLanes(VectorOperators.ADD);
      float s2 = a2.reduceLanes(VectorOperators.ADD);
      float s3 = a3.reduceLanes(VectorOperators.ADD);
      for (; k < d; k++) {
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
    int end = S.loopBound(d);
    // Four scattered rows side by side, so that their cache misses overlap (see VectorMath).
    for (; i + 3 < count; i += 4) {
      int o0 = offsets[i];
      int o1 = offsets[i + 1];
      int o2 = offsets[i + 2];
      int o3 = offsets[i + 3];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = FloatVector.zero(S);
      FloatVector a2 = FloatVector.zero(S);
      FloatVector a3 = FloatVector.zero(S);
      int k = 0;
      for (; k < end; k += L) {
        FloatVector q = FloatVector.fromArray(S, query, k);
        a0 = FloatVector.fromArray(S, data, o0 + k).fma(q, a0);
        a1 = FloatVector.fromArray(S, data, o1 + k).fma(q, a1);
        a2 = FloatVector.fromArray(S, data, o2 + k).fma(q, a2);
        a3 = FloatVector.fromArray(S, data, o3 + k).fma(q, a3);
      }
      float s0 = a0.reduceLanes(VectorOperators.ADD);
      float s1 = a1.reduceLanes(VectorOperators.ADD);
      float s2 = a2.reduceLanes(VectorOperators.ADD);
      float s3 = a3.reduceLanes(VectorOperators.ADD);
      for (; k < d; k++) {
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
      out[i] = dot(data, offsets[i], query, 0, d);
    }
  }
}
