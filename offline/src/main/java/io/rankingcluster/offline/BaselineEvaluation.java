package io.rankingcluster.offline;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.eval.Metrics;
import io.rankingcluster.core.recall.BoundChannel;
import io.rankingcluster.core.recall.CandidateSink;
import io.rankingcluster.core.recall.CandidateSource;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.recall.RecallQuery;
import io.rankingcluster.core.recall.ShardResources;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.GroundTruth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The bar every later model must clear: each recall channel (and a random list) evaluated on the
 * demo world with a split by time. Training data (statistics, histories, embeddings, neighbours)
 * come from the events before the split; the held-out clicks after it are what a channel should
 * find. On a subsample of users, the ground truth also gives each channel's NDCG@20 (relevance =
 * the true expected value of the item for the user) and the share of the oracle's expected value
 * its top 20 reaches.
 *
 * <p>The channels are core's serving components, run exactly as the recall service runs them.
 */
public final class BaselineEvaluation {
  /** Evaluation settings. */
  public record Config(int testDays, int maxUsers, int oracleUsers, int listSize, long seed) {
    public static Config defaults(long seed) {
      return new Config(4, 2000, 300, 500, seed);
    }
  }

  /** Everything learned from the training window. */
  public record Trained(
      int splitSec,
      Catalog catalog,
      long[][] recent,
      Interactions train,
      ImplicitAls.Factors factors,
      ItemNeighbours neighbours) {}

  /** One channel's figures. */
  public record ChannelResult(
      String name,
      double recallAt20,
      double recallAt100,
      double recallAt500,
      double ndcgAt20,
      double oracleShareAt20) {}

  /** The whole result. */
  public record Result(
      List<ChannelResult> channels,
      double mergedRecall,
      int evalUsers,
      int oracleUsers,
      int testClicks) {}

  /** Trains statistics, histories, embeddings and neighbours on the events before the split. */
  public static Trained train(DemoWorld world, Config config, ImplicitAls.Config als, Steps steps) {
    int split = GroundTruth.PERIOD_SECONDS - config.testDays() * 86_400;
    steps.start(
        "training window: statistics and histories before day "
            + (GroundTruth.DAYS - config.testDays()));
    Catalog catalog = DemoWorld.withStatistics(world.catalog, world.events, split);
    long[][] recent = DemoWorld.recentClicks(world.events, catalog, world.users.size(), split);
    Interactions train =
        Interactions.clicks(world.events, world.users.size(), catalog.size(), 0, split);
    steps.end(train.nonZeros() + " user-item click pairs");
    steps.start("embeddings: implicit ALS, dimension " + als.dimension());
    ImplicitAls.Factors factors =
        ImplicitAls.train(train, als, (done, total) -> steps.progress(done, total, "iterations"));
    steps.end("");
    steps.start("item-to-item neighbours");
    ItemNeighbours neighbours =
        ItemToItemBuilder.build(
            world.events, catalog, world.users.size(), split, ItemToItemBuilder.Config.DEFAULT);
    steps.end(neighbours.neighbourIds.length + " edges");
    return new Trained(split, catalog, recent, train, factors, neighbours);
  }

  public static Result evaluate(DemoWorld world, Trained t, Config config, Steps steps) {
    steps.start("evaluate channels on held-out clicks");
    Catalog catalog = t.catalog();
    // The serving registry's channels over the whole catalog, the embedding search as the exact
    // scan.
    List<BoundChannel> bound =
        ChannelRegistry.build(
            ChannelRegistry.standard()
                .select("popular,category,fresh,live_now,item_to_item,ann", 1, Integer.MAX_VALUE),
            ShardResources.of(catalog, t.factors().items(), t.neighbours()));
    List<CandidateSource> sources = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (BoundChannel b : bound) {
      sources.add(b.source());
      names.add(b.channel().label());
    }
    names.add("random");
    Interactions test =
        Interactions.clicks(
            world.events, world.users.size(), catalog.size(), t.splitSec(), Integer.MAX_VALUE);
    // Users with a held-out click that is new to them, in a deterministic sample.
    int[] candidates =
        IntStream.range(0, world.users.size())
            .filter(u -> relevant(t, test, u, catalog).length > 0)
            .toArray();
    shuffle(candidates, new SplittableRandom(config.seed()));
    int[] users = Arrays.copyOf(candidates, Math.min(candidates.length, config.maxUsers()));
    int channels = names.size();
    double[][] recall = new double[channels][3];
    double[] merged = new double[1];
    double[][] ndcg = new double[channels][1];
    double[][] share = new double[channels][1];
    int oracleUsers = Math.min(users.length, config.oracleUsers());
    int[] testClicks = new int[1];
    long timeMs = DemoWorld.epochMs(t.splitSec());
    Object lock = new Object();
    int[] done = new int[1];
    IntStream.range(0, users.length)
        .parallel()
        .forEach(
            k -> {
              int u = users[k];
              long[] relevant = relevant(t, test, u, catalog);
              RecallQuery q = query(world, t, u, timeMs);
              long[][] lists = new long[channels][];
              for (int c = 0; c < sources.size(); c++) {
                lists[c] = run(sources.get(c), q, config.listSize(), catalog);
              }
              lists[channels - 1] =
                  randomList(
                      q, catalog, config.listSize(), new SplittableRandom(config.seed() + u));
              double[] r = new double[channels * 3];
              for (int c = 0; c < channels; c++) {
                r[c * 3] = Metrics.recallAtK(lists[c], relevant, 20);
                r[c * 3 + 1] = Metrics.recallAtK(lists[c], relevant, 100);
                r[c * 3 + 2] = Metrics.recallAtK(lists[c], relevant, 500);
              }
              long[] union =
                  Arrays.stream(lists, 0, channels - 1)
                      .flatMapToLong(Arrays::stream)
                      .distinct()
                      .toArray();
              double m = Metrics.recallAtK(union, relevant, union.length);
              double[] nd = new double[channels];
              double[] sh = new double[channels];
              if (k < oracleUsers) {
                oracle(world, t, u, q, lists, nd, sh);
              }
              synchronized (lock) {
                for (int c = 0; c < channels; c++) {
                  for (int j = 0; j < 3; j++) {
                    recall[c][j] += r[c * 3 + j];
                  }
                  ndcg[c][0] += nd[c];
                  share[c][0] += sh[c];
                }
                merged[0] += m;
                testClicks[0] += relevant.length;
                done[0]++;
                steps.progress(done[0], users.length, "users");
              }
            });
    List<ChannelResult> results = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      int n = Math.max(1, users.length);
      int o = Math.max(1, oracleUsers);
      results.add(
          new ChannelResult(
              names.get(c),
              recall[c][0] / n,
              recall[c][1] / n,
              recall[c][2] / n,
              ndcg[c][0] / o,
              share[c][0] / o));
    }
    steps.end(users.length + " users, " + testClicks[0] + " held-out clicks");
    return new Result(
        results, merged[0] / Math.max(1, users.length), users.length, oracleUsers, testClicks[0]);
  }

  /** The user's held-out clicked items that they had not clicked before the split (sorted ids). */
  static long[] relevant(Trained t, Interactions test, int u, Catalog catalog) {
    long[] ids = new long[test.userOffsets[u + 1] - test.userOffsets[u]];
    int n = 0;
    for (int e = test.userOffsets[u]; e < test.userOffsets[u + 1]; e++) {
      int item = test.userItems[e];
      if (!clickedInTraining(t.train(), u, item)) {
        ids[n++] = catalog.ids[item];
      }
    }
    return Metrics.sortedSet(Arrays.copyOf(ids, n));
  }

  private static boolean clickedInTraining(Interactions train, int u, int item) {
    // Rows are sorted by item (built from sorted pairs).
    return Arrays.binarySearch(
            train.userItems, train.userOffsets[u], train.userOffsets[u + 1], item)
        >= 0;
  }

  static RecallQuery query(DemoWorld world, Trained t, int u, long timeMs) {
    Catalog catalog = t.catalog();
    long[] recent = t.recent()[u];
    long[] exclude = new long[t.train().userOffsets[u + 1] - t.train().userOffsets[u]];
    for (int e = t.train().userOffsets[u], j = 0; e < t.train().userOffsets[u + 1]; e++, j++) {
      exclude[j] = catalog.ids[t.train().userItems[e]];
    }
    Embeddings users = t.factors().users();
    float[] vector = new float[users.dimension()];
    users.copyRow(u, vector, 0);
    return new RecallQuery(
        catalog,
        recent,
        vector,
        UserProfiles.affinities(recent, catalog),
        world.users.country(u),
        timeMs,
        exclude,
        new int[] {1200, 600, 200});
  }

  private static long[] run(CandidateSource source, RecallQuery q, int limit, Catalog catalog) {
    CandidateSink sink = new CandidateSink(q, limit);
    source.fetch(q, sink);
    long[] ids = new long[sink.size()];
    int[] rows = sink.rows();
    for (int i = 0; i < ids.length; i++) {
      ids[i] = catalog.ids[rows[i]];
    }
    return ids;
  }

  private static long[] randomList(
      RecallQuery q, Catalog catalog, int limit, SplittableRandom rnd) {
    long[] out = new long[limit];
    int n = 0;
    for (int tries = 0; tries < limit * 20 && n < limit; tries++) {
      int row = rnd.nextInt(catalog.size());
      if (q.admits(row)) {
        out[n++] = catalog.ids[row];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * NDCG@20 by true expected value, and the share of the oracle's page value, for each channel's
   * top 20.
   */
  private static void oracle(
      DemoWorld world,
      Trained t,
      int u,
      RecallQuery q,
      long[][] lists,
      double[] ndcg,
      double[] share) {
    Catalog catalog = t.catalog();
    int time = t.splitSec();
    double[] all = new double[catalog.size()];
    int n = 0;
    for (int row = 0; row < catalog.size(); row++) {
      if (q.admits(row)) {
        all[n++] = world.truth.expectedValue(u, row, time);
      }
    }
    double[] ideal = Arrays.copyOf(all, n);
    Arrays.sort(ideal);
    double[] top = new double[Math.min(20, n)];
    for (int i = 0; i < top.length; i++) {
      top[i] = ideal[n - 1 - i] * GroundTruth.examination(i + 1);
    }
    double[] idealTop = new double[top.length];
    for (int i = 0; i < top.length; i++) {
      idealTop[i] = ideal[n - 1 - i];
    }
    for (int c = 0; c < lists.length; c++) {
      int m = Math.min(20, lists[c].length);
      double[] gains = new double[m];
      double[] slots = new double[m];
      for (int i = 0; i < m; i++) {
        gains[i] = world.truth.expectedValue(u, catalog.index.rowOf(lists[c][i]), time);
        slots[i] = gains[i] * GroundTruth.examination(i + 1);
      }
      ndcg[c] = Metrics.ndcgAtK(gains, idealTop, 20);
      share[c] = Metrics.oracleShare(slots, top);
    }
  }

  private static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
  }
}
