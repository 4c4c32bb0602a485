package io.rankingcluster.bench;

import io.rankingcluster.core.ann.ExactScan;
import io.rankingcluster.core.ann.RowFilter;
import io.rankingcluster.core.embed.Embeddings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ANN recall and speed against the exact scan: for each library, build time, memory per item, index
 * file size and load time, then recall@k against exact maximum-inner-product search and
 * single-thread latency (p50/p99/mean) over an efSearch sweep. Prints Markdown tables
 * (docs/benchmarks.md holds the results).
 */
@Command(
    name = "ann-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "ANN (HNSW) recall and latency against the exact scan, per library, over an efSearch"
            + " sweep.")
public final class AnnBenchmark implements Callable<Integer> {
  @Option(
      names = "--snapshot-root",
      description = "Snapshot root: items from its CURRENT version, user vectors as queries.")
  Path snapshotRoot;

  @Option(
      names = "--max-items",
      defaultValue = "0",
      description = "Use only the first N items of the snapshot (0: all).")
  int maxItems;

  @Option(
      names = "--random",
      defaultValue = "0",
      description = "Instead of a snapshot: this many standard normal items.")
  int random;

  @Option(
      names = "--dim",
      defaultValue = "64",
      description = "Dimension of --random vectors (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(
      names = "--queries",
      defaultValue = "1000",
      description = "Queries for recall and latency (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(
      names = "--exact-queries",
      defaultValue = "200",
      description = "Queries timed for the exact scan (default: ${DEFAULT-VALUE}).")
  int exactQueries;

  @Option(
      names = "--k",
      defaultValue = "100",
      description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--ef",
      split = ",",
      defaultValue = "100,150,200,300,400,600",
      description = "efSearch values to sweep (default: ${DEFAULT-VALUE}).")
  int[] efs;

  @Option(names = "--m", defaultValue = "16", description = "HNSW M (default: ${DEFAULT-VALUE}).")
  int m;

  @Option(
      names = "--ef-construction",
      defaultValue = "100",
      description = "HNSW efConstruction (default: ${DEFAULT-VALUE}).")
  int efConstruction;

  @Option(
      names = "--build-threads",
      defaultValue = "2",
      description = "Threads building each index (default: ${DEFAULT-VALUE}).")
  int buildThreads;

  @Option(
      names = "--libraries",
      split = ",",
      defaultValue = "lucene,hnswlib",
      description = "Implementations to measure: lucene, hnswlib (default: ${DEFAULT-VALUE}).")
  List<String> libraries;

  @Option(
      names = "--index-cache-dir",
      description =
          "Load the lucene index from here if present, else build and save it"
              + " (so a second JDK measures search on the same graph without rebuilding).")
  Path indexCacheDir;

  @Option(
      names = "--persist",
      defaultValue = "true",
      negatable = true,
      description = "Measure index file size and load time (default: ${DEFAULT-VALUE}).")
  boolean persist;

  @Option(
      names = "--passes",
      defaultValue = "3",
      description =
          "Timed passes per point; the one with the lowest median is reported (default:"
              + " ${DEFAULT-VALUE}).")
  int passes;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Seed for query sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AnnBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    BenchData data =
        snapshotRoot != null
            ? BenchData.snapshot(snapshotRoot, queries, seed)
            : BenchData.random(random, dim, queries, seed);
    Embeddings items =
        maxItems > 0 && maxItems < data.items.rows()
            ? new Embeddings(
                maxItems,
                data.items.dimension(),
                Arrays.copyOf(data.items.data(), maxItems * data.items.dimension()))
            : data.items;
    float[][] qs = data.queries;
    System.out.println(
        "load average at the start: " + Files.readString(Path.of("/proc/loadavg")).trim());
    System.out.printf(
        Locale.ROOT,
        "# %s: %d items x %d dims, %d queries, k=%d; JDK %s (%s), %d processors; loaded in %.1f"
            + " s%n",
        data.label,
        items.rows(),
        items.dimension(),
        qs.length,
        k,
        Runtime.version(),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(),
        (System.nanoTime() - t0) / 1e9);

    long tTruth = System.nanoTime();
    int[][] truth = groundTruth(items, qs);
    System.out.printf(
        Locale.ROOT,
        "exact top-%d for %d queries (2 threads) in %.1f s%n%n",
        k,
        qs.length,
        (System.nanoTime() - tTruth) / 1e9);

    double exactMeanUs = exactLatency(items, qs);

    for (String lib : libraries) {
      AnnLibraries.Ann ann = AnnLibraries.of(lib.trim());
      long heapBefore = usedHeapAfterGc();
      long b0 = System.nanoTime();
      String how = ann.build(items, m, efConstruction, buildThreads, indexCacheDir);
      double buildS = (System.nanoTime() - b0) / 1e9;
      long heapDelta = usedHeapAfterGc() - heapBefore;
      System.out.printf(
          Locale.ROOT, "## %s (M=%d, efConstruction=%d)%n%n", ann.name(), m, efConstruction);
      System.out.printf(
          Locale.ROOT,
          "- index: %s in %.1f s with %d threads (%.1f us per item)%n",
          how,
          buildS,
          buildThreads,
          buildS * 1e6 / items.rows());
      System.out.printf(
          Locale.ROOT,
          "- heap growth after build: %.0f B/item (vectors are %d B/item%s)%n",
          heapDelta / (double) items.rows(),
          4 * items.dimension(),
          ann.name().equals("hnswlib")
              ? ", copied into the index"
              : ", shared with the snapshot, not copied");
      if (ann instanceof AnnLibraries.Lucene lucene) {
        System.out.println("- tiers (rows, largest norm, graph or scan): " + lucene.describe());
      }
      if (ann.structureBytes() >= 0) {
        System.out.printf(
            Locale.ROOT,
            "- index structure (graphs, maps, copies; exact count): %.1f B/item%n",
            ann.structureBytes() / (double) items.rows());
      }
      if (persist) {
        Path dir = Files.createTempDirectory("ann-bench");
        long[] sl = ann.saveAndLoad(dir);
        Files.deleteIfExists(dir);
        System.out.printf(
            Locale.ROOT,
            "- index file: %.1f MB (%.0f B/item), loaded in %d ms%n",
            sl[0] / 1e6,
            sl[0] / (double) items.rows(),
            sl[1]);
      }
      System.out.println();
      sweep(ann, qs, truth, exactMeanUs);
      ann.close();
      System.out.println();
    }
    System.out.println(
        "load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    return 0;
  }

  private int[][] groundTruth(Embeddings items, float[][] qs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<int[]>> fs = new ArrayList<>();
      for (float[] q : qs) {
        fs.add(
            pool.submit(
                () -> {
                  int[] rows = new int[k];
                  int n = ExactScan.search(items, q, k, RowFilter.ALL, rows, new float[k]);
                  return Arrays.copyOf(rows, n);
                }));
      }
      int[][] out = new int[qs.length][];
      for (int i = 0; i < qs.length; i++) {
        out[i] = fs.get(i).get();
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Single-thread latency of the exact scan (ExactScan: four rows per kernel step, bounded heap).
   */
  private double exactLatency(Embeddings items, float[][] qs) {
    int n = Math.min(exactQueries, qs.length);
    int[] rows = new int[k];
    float[] scores = new float[k];
    for (int i = 0; i < Math.min(n, 30); i++) {
      ExactScan.search(items, qs[i], k, RowFilter.ALL, rows, scores);
    }
    double[] st =
        timedPasses(n, i -> ExactScan.search(items, qs[i], k, RowFilter.ALL, rows, scores));
    System.out.printf(
        Locale.ROOT,
        "exact scan, one thread, %d queries: p50 %.0f us, p99 %.0f us, mean %.0f us%n%n",
        n,
        st[0],
        st[1],
        st[2]);
    return st[2];
  }

  private void sweep(AnnLibraries.Ann ann, float[][] qs, int[][] truth, double exactMeanUs) {
    int[] out = new int[k];
    // JIT warm-up: two untimed passes at the first ef.
    for (int pass = 0; pass < 2; pass++) {
      for (float[] q : qs) {
        ann.search(q, k, efs[0], out);
      }
    }
    ann.traceAndReset();
    System.out.println(
        "| efSearch | recall@"
            + k
            + " | p50 us | p99 us | mean us | speed-up vs exact (mean) | work per query |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---|");
    for (int ef : efs) {
      long found = 0;
      for (int i = 0; i < qs.length; i++) {
        int n = ann.search(qs[i], k, ef, out);
        found += overlap(truth[i], out, n);
      }
      String work = ann.traceAndReset();
      double[] st = timedPasses(qs.length, i -> ann.search(qs[i], k, ef, out));
      System.out.printf(
          Locale.ROOT,
          "| %d | %.4f | %.0f | %.0f | %.0f | %.1fx | %s |%n",
          ef,
          found / (double) (qs.length * (long) k),
          st[0],
          st[1],
          st[2],
          exactMeanUs / st[2],
          work);
    }
  }

  /**
   * {p50, p99, mean} in microseconds of {@code n} calls on this thread: the best of {@code passes}
   * timed passes by median, since the machine is shared and a pass can fall into someone else's
   * burst.
   */
  private double[] timedPasses(int n, java.util.function.IntConsumer call) {
    double[] best = null;
    for (int pass = 0; pass < passes; pass++) {
      long[] ns = new long[n];
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        call.accept(i);
        ns[i] = System.nanoTime() - s;
      }
      double[] st = stats(ns);
      if (best == null || st[0] < best[0]) {
        best = st;
      }
    }
    return best;
  }

  private static int overlap(int[] truth, int[] got, int n) {
    int[] sorted = truth.clone();
    Arrays.sort(sorted);
    int hits = 0;
    for (int i = 0; i < n; i++) {
      if (Arrays.binarySearch(sorted, got[i]) >= 0) {
        hits++;
      }
    }
    return hits;
  }

  /** {p50, p99, mean} in microseconds. */
  private static double[] stats(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    double sum = 0;
    for (long v : s) {
      sum += v;
    }
    return new double[] {
      s[(int) (0.50 * (s.length - 1))] / 1e3,
      s[(int) Math.ceil(0.99 * (s.length - 1))] / 1e3,
      sum / s.length / 1e3
    };
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
