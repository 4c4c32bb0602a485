package io.rankingcluster.bench;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.eval.Metrics;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.mixer.InProcessPipeline;
import io.rankingcluster.mixer.MixerConfig;
import io.rankingcluster.offline.SvgChart;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.GroundTruth;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How good are the pages: the whole pipeline (the serving code, in process) on the demo world,
 * judged against its hidden ground truth. For each sampled user, a page of 20 at the end of the
 * simulated period; relevance of an item = its true expected value for the user (click x
 * (conversion value + watch value), see {@link GroundTruth#expectedValue}). Reported: NDCG@20
 * against the best 20 items of the catalog for that user (the oracle), and the share of the
 * oracle's examination-weighted value reached; for random and popularity pages, and for the
 * pipeline with its stages added one by one (recall only, + prerank, + rank, + blending rules),
 * each through the mixer's own fallbacks.
 */
public final class PipelineEvaluation {
  /** One line of the report. */
  public record Row(String name, double ndcg, double oracleShare, String note) {}

  public record Result(List<Row> rows, int users, long millis) {
    public Row row(String name) {
      return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
  }

  public static final String RANDOM = "random";
  public static final String POPULAR = "popularity";
  public static final String RECALL_ONLY = "recall only";
  public static final String PLUS_PRERANK = "+ prerank";
  public static final String PLUS_RANK = "+ rank";
  public static final String FULL = "+ blending rules (served)";

  private PipelineEvaluation() {}

  /**
   * Blending with kind shares only (no position, seller or diversity rules): isolates what the
   * rules cost or buy.
   */
  static final String PLAIN_BLEND =
      "{\"default_config\": \"plain\", \"configs\": {\"plain\": {\"product_share\": 0.6,"
          + " \"video_share\": 0.3, \"live_stream_share\": 0.1, \"allow_live_in_first_slot\": true,"
          + " \"allow_adjacent_same_seller\": true}}}";

  public static Result evaluate(
      DemoWorld world, Snapshot snapshot, int users, int shards, long seed, Path workDir)
      throws IOException {
    return evaluate(world, snapshot, null, users, shards, seed, workDir);
  }

  /**
   * As above; {@code versionDir} (the snapshot's folder) caches the ANN index, as the recall
   * service does.
   */
  public static Result evaluate(
      DemoWorld world,
      Snapshot snapshot,
      Path versionDir,
      int users,
      int shards,
      long seed,
      Path workDir)
      throws IOException {
    long t0 = System.currentTimeMillis();
    Path plain = workDir.resolve("plain-blend.json");
    Files.writeString(plain, PLAIN_BLEND);
    MixerConfig served = MixerConfig.defaults();
    MixerConfig plainOptions = MixerConfig.parse("--blend-config=" + plain);
    String[] names = {RECALL_ONLY, PLUS_PRERANK, PLUS_RANK, FULL};
    // One set of recall shards (and one ANN index) shared by the four pipelines.
    List<io.rankingcluster.recall.ShardData> shardData =
        Pipelines.shards(snapshot, versionDir, shards);
    InProcessPipeline[] pipelines = {
      Pipelines.inProcess(snapshot, shardData, plainOptions, Pipelines.Ablation.NO_PRERANK_NO_RANK),
      Pipelines.inProcess(snapshot, shardData, plainOptions, Pipelines.Ablation.NO_RANK),
      Pipelines.inProcess(snapshot, shardData, plainOptions, Pipelines.Ablation.FULL),
      Pipelines.inProcess(snapshot, shardData, served, Pipelines.Ablation.FULL)
    };
    Catalog catalog = world.catalog;
    int time = GroundTruth.PERIOD_SECONDS - 1;
    long timeMs = DemoWorld.AS_OF_MS;
    int[] popular = byClicks(catalog);
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = Math.min(users, world.users.size());
    int[] sample = new int[n];
    int[] all = java.util.stream.IntStream.range(0, world.users.size()).toArray();
    for (int i = 0; i < n; i++) {
      int j = i + rnd.nextInt(all.length - i);
      int x = all[i];
      all[i] = all[j];
      all[j] = x;
      sample[i] = all[i];
    }
    int rows = names.length + 2;
    double[] ndcg = new double[rows];
    double[] share = new double[rows];
    // Users in parallel (the pipelines are thread-safe, as in serving); sums merged under a lock.
    Object lock = new Object();
    java.util.stream.IntStream.range(0, n)
        .parallel()
        .forEach(
            k -> {
              double[] myNdcg = new double[rows];
              double[] myShare = new double[rows];
              evaluateUser(
                  world, pipelines, popular, sample[k], seed, time, timeMs, myNdcg, myShare);
              synchronized (lock) {
                for (int i = 0; i < rows; i++) {
                  ndcg[i] += myNdcg[i];
                  share[i] += myShare[i];
                }
              }
            });
    for (InProcessPipeline p : pipelines) {
      p.close();
    }
    List<Row> out = new ArrayList<>();
    String[] labels = {RANDOM, POPULAR, RECALL_ONLY, PLUS_PRERANK, PLUS_RANK, FULL};
    String[] notes = {
      "20 random items the user may be shown",
      "the 20 most clicked items the user may be shown",
      "recall's merged order (prerank and rank down), kind shares",
      "prerank's order (rank down), kind shares",
      "rank's value order, kind shares",
      "the served page: kind shares, live-stream and seller rules, MMR diversity"
    };
    for (int i = 0; i < rows; i++) {
      out.add(new Row(labels[i], ndcg[i] / n, share[i] / n, notes[i]));
    }
    return new Result(out, n, System.currentTimeMillis() - t0);
  }

  private static void evaluateUser(
      DemoWorld world,
      InProcessPipeline[] pipelines,
      int[] popular,
      int u,
      long seed,
      int time,
      long timeMs,
      double[] ndcg,
      double[] share) {
    Catalog catalog = world.catalog;
    int country = world.users.country(u);
    double[] value = new double[catalog.size()];
    int admissible = 0;
    double[] ideal = new double[catalog.size()];
    for (int row = 0; row < catalog.size(); row++) {
      if (admits(catalog, row, country, timeMs)) {
        value[row] = world.truth.expectedValue(u, row, time);
        ideal[admissible++] = value[row];
      } else {
        value[row] = -1;
      }
    }
    double[] sorted = Arrays.copyOf(ideal, admissible);
    Arrays.sort(sorted);
    int m = Math.min(20, admissible);
    double[] idealTop = new double[m];
    double[] idealSlots = new double[m];
    for (int i = 0; i < m; i++) {
      idealTop[i] = sorted[admissible - 1 - i];
      idealSlots[i] = idealTop[i] * GroundTruth.examination(i + 1);
    }
    // Random and popularity pages over the admissible items.
    int[] randomRows = new int[m];
    SplittableRandom r = new SplittableRandom(seed + u);
    for (int i = 0, tries = 0; i < m && tries < 100_000; tries++) {
      int row = r.nextInt(catalog.size());
      if (value[row] >= 0 && !contains(randomRows, i, row)) {
        randomRows[i++] = row;
      }
    }
    int[] popularRows = new int[m];
    for (int i = 0, p = 0; i < m && p < popular.length; p++) {
      if (value[popular[p]] >= 0) {
        popularRows[i++] = popular[p];
      }
    }
    score(randomRows, value, idealTop, idealSlots, ndcg, share, 0);
    score(popularRows, value, idealTop, idealSlots, ndcg, share, 1);
    String userId = world.users.userId(u);
    for (int p = 0; p < pipelines.length; p++) {
      RecommendResponse page =
          pipelines[p].recommend(
              RecommendRequest.newBuilder()
                  .setPageSize(20)
                  .setContext(RequestContext.newBuilder().setUserId(userId).setClientTimeMs(timeMs))
                  .build(),
              10_000);
      int[] pageRows = new int[page.getItemsCount()];
      for (int i = 0; i < pageRows.length; i++) {
        FeedItem it = page.getItems(i);
        pageRows[i] = catalog.index.rowOf(it.getItemId());
      }
      score(pageRows, value, idealTop, idealSlots, ndcg, share, p + 2);
    }
  }

  private static void score(
      int[] rows,
      double[] value,
      double[] idealTop,
      double[] idealSlots,
      double[] ndcg,
      double[] share,
      int at) {
    int m = Math.min(rows.length, idealTop.length);
    double[] gains = new double[m];
    double[] slots = new double[m];
    for (int i = 0; i < m; i++) {
      gains[i] = rows[i] >= 0 && value[rows[i]] > 0 ? value[rows[i]] : 0;
      slots[i] = gains[i] * GroundTruth.examination(i + 1);
    }
    ndcg[at] += Metrics.ndcgAtK(gains, idealTop, 20);
    share[at] += Metrics.oracleShare(slots, idealSlots);
  }

  private static boolean contains(int[] a, int n, int x) {
    for (int i = 0; i < n; i++) {
      if (a[i] == x) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a page may show this user now: in stock, sold in their country, live streams only while
   * live.
   */
  static boolean admits(Catalog catalog, int row, int country, long timeMs) {
    return catalog.inStock[row]
        && catalog.soldIn(row, country)
        && (catalog.kinds[row] != ItemKind.LIVE_STREAM.code() || catalog.liveAt(row, timeMs));
  }

  private static int[] byClicks(Catalog catalog) {
    float[] clicks = new float[catalog.size()];
    for (int i = 0; i < clicks.length; i++) {
      clicks[i] = catalog.clicks[i];
    }
    return io.rankingcluster.core.Order.byScoreDescending(clicks, clicks.length);
  }

  /** The report: a table, what each row means, and a bar chart (SVG) beside it. */
  public static void write(Result r, String worldName, Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder md = new StringBuilder();
    md.append("# Pipeline quality: ").append(worldName).append("\n\n");
    md.append(
            "The whole pipeline, the code that serves (the mixer over the stage implementations, in"
                + " process), on the\n")
        .append("demo world, judged against its hidden ground truth. ")
        .append(r.users())
        .append(
            " sampled users, one page of 20 each at the\n"
                + "end of the simulated period. Relevance of an item is its")
        .append(
            " true expected value for the user (GroundTruth.expectedValue).\n"
                + "NDCG@20 is against the best 20 items")
        .append(
            " of the catalog for that user (the oracle); the oracle share is the\n"
                + "examination-weighted value of the")
        .append(
            " page over the oracle's. Stages are added one at a time through the mixer's own\n"
                + "fallbacks (prerank")
        .append(
            " and rank made to fail), all blended with the same kind shares; the last row is the"
                + " served page.\n\n");
    md.append(
        "| page | NDCG@20 | share of the oracle's value | what it is |\n|---|---:|---:|---|\n");
    for (Row row : r.rows()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.4f | %.4f | %s |%n",
              row.name(),
              row.ndcg(),
              row.oracleShare(),
              row.note()));
    }
    double popular = r.row(POPULAR).ndcg();
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe served page reaches %.2fx popularity's NDCG@20 (asserted >= 1.3x in"
                + " PipelineEvaluationTest on a fixed world).%n%n",
            r.row(FULL).ndcg() / popular));
    md.append("![NDCG@20 and oracle share by page](pipeline-quality.svg)\n\n");
    md.append(String.format(Locale.ROOT, "Evaluation time: %.1f s.%n", r.millis() / 1000.0));
    Files.writeString(dir.resolve("pipeline-quality.md"), md.toString());
    List<SvgChart.Group> groups = new ArrayList<>();
    for (Row row : r.rows()) {
      groups.add(new SvgChart.Group(row.name(), new double[] {row.ndcg(), row.oracleShare()}));
    }
    Files.writeString(
        dir.resolve("pipeline-quality.svg"),
        SvgChart.bars(
            "Page quality against the ground truth (" + worldName + ")",
            List.of("NDCG@20", "oracle share"),
            groups,
            "%.3f"));
  }
}
