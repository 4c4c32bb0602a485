package io.rankingcluster.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.offline.OnnxExporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX Runtime as the independent check of our own inference: the built-in {@link MultiTaskModel}
 * and the same model exported to ONNX and run by {@link OnnxHeadModel} agree on every head.
 *
 * <p>Tolerance: 1e-4 absolute, scaled by the value above 1 ({@code |a-b| <= 1e-4 * max(1, |a|)}).
 * The probability heads lie in [0, 1], so for them it is plain 1e-4 absolute; the watch-seconds
 * head reaches expm1(20) ~ 4.9e8 at its clip, where one float ulp is 32, so no two float
 * implementations can agree there in absolute terms, and its check is relative above 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OnnxAgreementTest {
  static final double TOLERANCE = 1e-4;
  @TempDir static Path dir;
  static MultiTaskModel builtIn;
  static OnnxHeadModel onnx;

  @BeforeAll
  static void export() throws Exception {
    builtIn = TestRankModels.random("rank-agree", 7);
    Path file = dir.resolve("rank.onnx");
    OnnxExporter.write(builtIn, "rank-agree-onnx", file);
    onnx = OnnxHeadModel.load(file, null, RankFeatures.COUNT, 3);
  }

  @AfterAll
  static void close() throws Exception {
    onnx.close();
  }

  /**
   * Realistic rows (around each feature's mean), then extreme ones: zeros, huge, tiny, negative,
   * mixed.
   */
  static float[] rows(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] mean = builtIn.mean();
    float[] invStd = builtIn.invStd();
    int f = RankFeatures.COUNT;
    float[] x = new float[n * f];
    float[] extremes = {0f, 1e6f, -1e6f, 1e-30f, -3.4e4f, 5e3f, Float.MIN_NORMAL};
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < f; k++) {
        double z = rnd.nextGaussian();
        float v =
            (float) (mean[k] + z * (i % 5 == 4 ? 30 : 1.5) / invStd[k]); // every fifth row far out
        if (i % 11 == 10) {
          v = extremes[rnd.nextInt(extremes.length)];
        }
        x[i * f + k] = v;
      }
    }
    return x;
  }

  @Test
  void builtInAndOnnxRuntime_agreeOnEveryHead_forRealisticAndExtremeRows() {
    int n = 600;
    float[] x = rows(n, 11);
    float[] a = new float[n * 3];
    float[] b = new float[n * 3];
    builtIn.predict(x, n, a);
    onnx.predict(x, n, b);
    double[] maxAbs = new double[3];
    double[] maxScaled = new double[3];
    double[] maxAbsRealistic = new double[3];
    float watchAtMax = 0;
    boolean[] clipped = new boolean[1];
    for (int i = 0; i < n; i++) {
      for (int h = 0; h < 3; h++) {
        float u = a[i * 3 + h];
        float v = b[i * 3 + h];
        assertTrue(
            Float.isFinite(u) && Float.isFinite(v),
            "row " + i + " head " + h + ": " + u + " vs " + v);
        double d = Math.abs(u - v);
        maxAbs[h] = Math.max(maxAbs[h], d);
        maxScaled[h] = Math.max(maxScaled[h], d / Math.max(1, Math.abs(u)));
        if (i % 5 != 4 && i % 11 != 10 && d > maxAbsRealistic[h]) {
          maxAbsRealistic[h] = d;
          watchAtMax = h == 2 ? u : watchAtMax;
        }
        clipped[0] |= h == 2 && u > 4e8f;
        int row = i;
        int head = h;
        assertTrue(
            d <= TOLERANCE * Math.max(1, Math.abs(u)),
            () -> "row " + row + " head " + head + ": built-in " + u + ", ONNX Runtime " + v);
      }
    }
    System.out.printf(
        "ONNX agreement over %d rows: max |diff| click %.3g, conversion %.3g, watch %.3g (max"
            + " |diff|/max(1,|v|) %.3g); realistic rows only: %.3g, %.3g, %.3g (watch value there"
            + " %.1f)%n",
        n,
        maxAbs[0],
        maxAbs[1],
        maxAbs[2],
        maxScaled[2],
        maxAbsRealistic[0],
        maxAbsRealistic[1],
        maxAbsRealistic[2],
        watchAtMax);
    assertTrue(clipped[0], "the extreme rows should drive the watch head to its clip");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 200, 1000})
  void batchSizes_includingLargerThanTheFirstBuffer_giveTheSameRows(int n) {
    float[] x = rows(n, n);
    float[] a = new float[n * 3];
    float[] b = new float[n * 3];
    builtIn.predict(x, n, a);
    onnx.predict(x, n, b);
    for (int i = 0; i < n * 3; i++) {
      assertEquals(a[i], b[i], TOLERANCE * Math.max(1, Math.abs(a[i])), "element " + i);
    }
  }

  @Test
  void concurrentCalls_eachGetTheirOwnRows() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = 100 + t;
        done.add(
            pool.submit(
                () -> {
                  for (int rep = 0; rep < 50; rep++) {
                    int n = 50 + (int) ((seed * 31 + rep * 17) % 250);
                    float[] x = rows(n, seed * 1000 + rep);
                    float[] solo = new float[n * 3];
                    float[] shared = new float[n * 3];
                    builtIn.predict(x, n, solo);
                    onnx.predict(x, n, shared);
                    for (int i = 0; i < n * 3; i++) {
                      assertEquals(solo[i], shared[i], TOLERANCE * Math.max(1, Math.abs(solo[i])));
                    }
                  }
                  return null;
                }));
      }
      for (Future<Void> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void metadataVersion_namesTheModel_unlessOverridden() throws Exception {
    assertEquals("rank-agree-onnx", onnx.version());
    Path file = dir.resolve("rank.onnx");
    try (OnnxHeadModel renamed = OnnxHeadModel.load(file, "arm-b", RankFeatures.COUNT, 3)) {
      assertEquals("arm-b", renamed.version());
      float[] x = rows(3, 1);
      float[] a = new float[9];
      float[] b = new float[9];
      onnx.predict(x, 3, a);
      renamed.predict(x, 3, b);
      assertArrayEquals(a, b);
    }
  }
}
