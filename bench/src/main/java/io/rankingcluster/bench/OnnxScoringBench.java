package io.rankingcluster.bench;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.model.HeadModel;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.rank.OnnxHeadModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The built-in rank model against the same model exported to ONNX and run by ONNX Runtime, side by
 * side on one thread: batches of 200 candidates of real users (features computed once up front, as
 * the rank service computes them), each batch scored by both backends in turn so that both see the
 * same machine noise. Reports per batch p50/p99 and microseconds per candidate, for the model alone
 * and for the whole rank call (features, model, value formula, sort), and the largest difference
 * between the two backends' heads.
 *
 * <p>Usage (after {@code offline export-onnx --snapshot ROOT --out rank.onnx}): {@code java -cp
 * 'bench/target/bench.jar:bench/target/lib/*' io.rankingcluster.bench.OnnxScoringBench ROOT
 * rank.onnx [BATCHES]}.
 */
public final class OnnxScoringBench {
  static final int BATCH = 200;
  static final long TIME_MS = 1_767_225_600_000L;

  private OnnxScoringBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: OnnxScoringBench SNAPSHOT_ROOT ONNX_FILE [BATCHES]");
      System.exit(2);
    }
    Snapshot s = SnapshotReader.readCurrent(Path.of(args[0]));
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
    MultiTaskModel builtIn = SnapshotModels.get(s, "rank");
    try (OnnxHeadModel onnx = OnnxHeadModel.load(Path.of(args[1]), null, RankFeatures.COUNT, 3)) {
      Catalog c = s.catalog();
      RankScorer rankBuiltIn = new RankScorer(c, ValueFormula.DEFAULT, s.itemEmbeddings(), builtIn);
      RankScorer rankOnnx = new RankScorer(c, ValueFormula.DEFAULT, s.itemEmbeddings(), onnx);
      int users = 500;
      SplittableRandom rnd = new SplittableRandom(11);
      UserSignals[] signals = new UserSignals[users];
      float[][] vectors = new float[users][];
      Candidates[] candidates = new Candidates[users];
      float[][] features = new float[users][];
      for (int i = 0; i < users; i++) {
        int u = rnd.nextInt(s.users().size());
        signals[i] =
            UserSignals.of(
                s.users().recentItems(u),
                c,
                s.categories().parentCount(),
                s.categories().leavesPerParent());
        vectors[i] = new float[s.userVectors().dimension()];
        s.userVectors().copyRow(u, vectors[i], 0);
        candidates[i] = randomCandidates(c, rnd);
        features[i] =
            rankBuiltIn.features(candidates[i].ids, BATCH, signals[i], vectors[i], TIME_MS);
      }
      System.out.printf(
          Locale.ROOT,
          "snapshot %s, built-in %s (hidden %s), ONNX %s (%s), %s, %d batches of %d%n",
          s.version(),
          builtIn.version(),
          java.util.Arrays.toString(builtIn.hidden()),
          onnx.version(),
          args[1],
          Runtime.version(),
          batches,
          BATCH);
      float[] a = new float[BATCH * 3];
      float[] b = new float[BATCH * 3];
      double[] maxDiff = new double[3];
      double maxRelWatch = 0;
      for (int i = 0; i < users; i++) {
        builtIn.predict(features[i], BATCH, a);
        onnx.predict(features[i], BATCH, b);
        for (int j = 0; j < BATCH * 3; j++) {
          double d = Math.abs(a[j] - b[j]);
          maxDiff[j % 3] = Math.max(maxDiff[j % 3], d);
          if (j % 3 == 2) {
            maxRelWatch = Math.max(maxRelWatch, d / Math.max(1, Math.abs(a[j])));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "agreement over %d rows: max |diff| click %.3g, conversion %.3g, watch %.3g s"
              + " (relative %.3g)%n",
          users * BATCH,
          maxDiff[0],
          maxDiff[1],
          maxDiff[2],
          maxRelWatch);
      long sink = 0;
      for (int round = 0;
          round < 2;
          round++) { // the first round warms the JIT and ONNX Runtime's arenas
        Histogram mA = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        Histogram mB = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        Histogram rA = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        Histogram rB = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        for (int i = 0; i < batches; i++) {
          int k = i % users;
          boolean onnxFirst =
              (i & 1) == 1; // alternate the order: neither backend always runs on a warmer cache
          long t0 = System.nanoTime();
          (onnxFirst ? (HeadModel) onnx : builtIn).predict(features[k], BATCH, a);
          long t1 = System.nanoTime();
          (onnxFirst ? (HeadModel) builtIn : onnx).predict(features[k], BATCH, b);
          long t2 = System.nanoTime();
          sink +=
              Float.floatToRawIntBits(a[k % a.length]) + Float.floatToRawIntBits(b[k % b.length]);
          mA.recordValue(onnxFirst ? t2 - t1 : t1 - t0);
          mB.recordValue(onnxFirst ? t1 - t0 : t2 - t1);
          long t3 = System.nanoTime();
          sink +=
              (onnxFirst ? rankOnnx : rankBuiltIn)
                  .rank(candidates[k], signals[k], vectors[k], TIME_MS)
                  .size();
          long t4 = System.nanoTime();
          sink +=
              (onnxFirst ? rankBuiltIn : rankOnnx)
                  .rank(candidates[k], signals[k], vectors[k], TIME_MS)
                  .size();
          long t5 = System.nanoTime();
          rA.recordValue(onnxFirst ? t5 - t4 : t4 - t3);
          rB.recordValue(onnxFirst ? t4 - t3 : t5 - t4);
        }
        if (round == 1) {
          report("model only, built-in", mA);
          report("model only, ONNX Runtime", mB);
          report("rank call, built-in", rA);
          report("rank call, ONNX Runtime", rB);
        }
      }
      System.out.println("(checksum " + sink + ")");
    }
  }

  private static void report(String name, Histogram h) {
    System.out.printf(
        Locale.ROOT,
        "%-26s per batch us: p50 %7.1f p99 %7.1f p99.9 %7.1f; us per candidate at p50: %.3f%n",
        name,
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        h.getValueAtPercentile(50) / 1e3 / BATCH);
  }

  private static Candidates randomCandidates(Catalog c, SplittableRandom rnd) {
    long[] ids = new long[BATCH];
    byte[] kinds = new byte[BATCH];
    for (int i = 0; i < BATCH; i++) {
      int row = rnd.nextInt(c.size());
      ids[i] = c.ids[row];
      kinds[i] = c.kinds[row];
    }
    return new Candidates(ids, kinds, new float[BATCH], new int[BATCH], BATCH);
  }
}
