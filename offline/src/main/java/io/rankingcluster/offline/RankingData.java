package io.rankingcluster.offline;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.EventLog;
import java.util.SplittableRandom;

/**
 * Training examples for the ranking models: each logged impression in a time window becomes a
 * feature row (computed by core's {@link RankFeatures}, the code that serves) with its click,
 * purchase and watch labels and its position. Features use only what was known before the window:
 * statistics, histories and embeddings as of its start (no label leaks into a feature).
 */
public final class RankingData {
  private RankingData() {}

  /** What was known at a point in time. */
  public record Known(
      Catalog catalog, long[][] recent, Embeddings itemEmbeddings, Embeddings userVectors) {}

  /** Statistics, histories and embeddings from the events before {@code untilSec}. */
  public static Known knownAt(DemoWorld world, int untilSec, ImplicitAls.Config als) {
    Catalog catalog = DemoWorld.withStatistics(world.catalog, world.events, untilSec);
    long[][] recent = DemoWorld.recentClicks(world.events, catalog, world.users.size(), untilSec);
    Interactions clicks =
        Interactions.clicks(world.events, world.users.size(), catalog.size(), 0, untilSec);
    ImplicitAls.Factors f = ImplicitAls.train(clicks, als, null);
    return new Known(catalog, recent, f.items(), f.users());
  }

  /**
   * Examples from the impressions in [fromSec, toSec), at most {@code maxSamples} (uniformly
   * sampled).
   */
  public static MultiTaskTrainer.Data build(
      DemoWorld world,
      Known known,
      int fromSec,
      int toSec,
      int columns,
      int maxSamples,
      long seed) {
    EventLog log = world.events;
    int from = log.firstAtOrAfter(fromSec);
    int to = log.firstAtOrAfter(toSec);
    double keep = Math.min(1.0, maxSamples / (double) Math.max(1, to - from));
    SplittableRandom rnd = new SplittableRandom(seed);
    int cap = (int) Math.min(to - from, (long) Math.ceil(keep * (to - from)) + 64);
    float[] x = new float[cap * columns];
    boolean[] click = new boolean[cap];
    boolean[] purchase = new boolean[cap];
    float[] watch = new float[cap];
    boolean[] hasWatch = new boolean[cap];
    byte[] position = new byte[cap];
    RankFeatures.Context[] contexts = new RankFeatures.Context[world.users.size()];
    int parents = world.categories.parentCount();
    int leaves = world.categories.leavesPerParent();
    int n = 0;
    float[] vector = new float[known.userVectors().dimension()];
    for (int e = from; e < to && n < cap; e++) {
      if (keep < 1.0 && rnd.nextDouble() >= keep) {
        continue;
      }
      int u = log.user(e);
      if (contexts[u] == null) {
        known.userVectors().copyRow(u, vector, 0);
        UserSignals signals = UserSignals.of(known.recent()[u], known.catalog(), parents, leaves);
        contexts[u] =
            new RankFeatures.Context(
                signals,
                signals.coldStart ? new float[0] : vector.clone(),
                known.catalog(),
                known.itemEmbeddings());
      }
      int row = log.item(e);
      RankFeatures.compute(
          known.catalog(),
          known.itemEmbeddings(),
          row,
          contexts[u],
          DemoWorld.epochMs(log.timeSec(e)),
          x,
          n * columns,
          columns);
      click[n] = log.clicked(e);
      purchase[n] = log.purchased(e);
      hasWatch[n] = log.clicked(e) && known.catalog().kinds[row] != ItemKind.PRODUCT.code();
      watch[n] = log.watchSeconds(e);
      position[n] = (byte) log.position(e);
      n++;
    }
    return new MultiTaskTrainer.Data(
        java.util.Arrays.copyOf(x, n * columns),
        n,
        columns,
        java.util.Arrays.copyOf(click, n),
        java.util.Arrays.copyOf(purchase, n),
        java.util.Arrays.copyOf(watch, n),
        java.util.Arrays.copyOf(hasWatch, n),
        java.util.Arrays.copyOf(position, n));
  }
}
