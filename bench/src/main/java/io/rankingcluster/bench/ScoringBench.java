package io.rankingcluster.bench;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Prerank and rank scoring on one thread with the snapshot's trained models: 2,000 candidates per
 * prerank call and 200 per rank call (the benchmark funnel), for real users. Prints per-call
 * percentiles and the cost per candidate. Usage: {@code java -cp bench/target/bench.jar
 * io.rankingcluster.bench.ScoringBench ROOT [CALLS]}.
 */
public final class ScoringBench {
  private ScoringBench() {}

  public static void main(String[] args) throws Exception {
    Snapshot s = SnapshotReader.readCurrent(Path.of(args[0]));
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    Catalog c = s.catalog();
    PrerankScorer prerank =
        new PrerankScorer(c, s.itemEmbeddings(), SnapshotModels.get(s, "prerank"));
    RankScorer rank =
        new RankScorer(c, ValueFormula.DEFAULT, s.itemEmbeddings(), SnapshotModels.get(s, "rank"));
    SplittableRandom rnd = new SplittableRandom(11);
    int users = 500;
    UserSignals[] signals = new UserSignals[users];
    float[][] vectors = new float[users][];
    Candidates[] big = new Candidates[users];
    Candidates[] small = new Candidates[users];
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
      big[i] = randomCandidates(c, 2000, rnd);
      small[i] = randomCandidates(c, 200, rnd);
    }
    int[] topK = {250, 110, 40};
    System.out.printf(
        Locale.ROOT,
        "snapshot %s, prerank %s, rank %s, %s%n",
        s.version(),
        prerank.modelVersion(),
        rank.modelVersion(),
        Runtime.version());
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      Histogram hp = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
      Histogram hr = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
      for (int i = 0; i < calls; i++) {
        int k = i % users;
        long t0 = System.nanoTime();
        prerank.topKPerKind(big[k], signals[k], vectors[k], 1_767_225_600_000L, topK);
        long t1 = System.nanoTime();
        rank.rank(small[k], signals[k], vectors[k], 1_767_225_600_000L);
        long t2 = System.nanoTime();
        hp.recordValue(t1 - t0);
        hr.recordValue(t2 - t1);
      }
      if (round == 1) {
        report("prerank, 2000 candidates", hp, 2000);
        report("rank, 200 candidates", hr, 200);
      }
    }
  }

  private static void report(String name, Histogram h, int candidates) {
    System.out.printf(
        Locale.ROOT,
        "%-26s per call ms: p50 %.3f p99 %.3f p99.9 %.3f; per candidate us at p50: %.2f%n",
        name,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6,
        h.getValueAtPercentile(50) / 1e3 / candidates);
  }

  private static Candidates randomCandidates(Catalog c, int n, SplittableRandom rnd) {
    long[] ids = new long[n];
    byte[] kinds = new byte[n];
    for (int i = 0; i < n; i++) {
      int row = rnd.nextInt(c.size());
      ids[i] = c.ids[row];
      kinds[i] = c.kinds[row];
    }
    return new Candidates(ids, kinds, new float[n], new int[n], n);
  }
}
