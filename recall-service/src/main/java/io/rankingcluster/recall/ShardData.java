package io.rankingcluster.recall;

import io.rankingcluster.core.ShardFunction;
import io.rankingcluster.core.ann.HnswCandidateSource;
import io.rankingcluster.core.ann.HnswIndex;
import io.rankingcluster.core.ann.HnswIndexCache;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.BoundChannel;
import io.rankingcluster.core.recall.CandidateSource;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.core.recall.ExactEmbeddingCandidateSource;
import io.rankingcluster.core.recall.RecallEngine;
import io.rankingcluster.core.recall.ShardResources;
import io.rankingcluster.core.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * The part of a snapshot one recall shard serves: the items with {@code shardOf(id, count) ==
 * index}, their embeddings, and the channels over them. Item-to-item keeps every item's neighbour
 * list, so a shard can expand a user's recent items wherever they live, but returns only its own
 * items. The channels come from the {@link ChannelRegistry} as --channels selects them; the
 * embedding search is an HNSW index over the shard's embeddings (cached on disk per snapshot
 * version and shard) or the exact scan.
 */
public final class ShardData {
  private static final Logger LOG = Logger.getLogger(ShardData.class.getName());

  public final Catalog catalog;
  public final Embeddings embeddings;
  public final RecallEngine engine;
  public final String version;
  public final io.rankingcluster.core.catalog.CategoryTree categories;
  public final int index;
  public final int count;

  private ShardData(
      Catalog catalog,
      Embeddings embeddings,
      RecallEngine engine,
      String version,
      io.rankingcluster.core.catalog.CategoryTree categories,
      int index,
      int count) {
    this.catalog = catalog;
    this.categories = categories;
    this.embeddings = embeddings;
    this.engine = engine;
    this.version = version;
    this.index = index;
    this.count = count;
  }

  /**
   * A shard with the default channels and HNSW index, built in memory and not cached (tests,
   * tools).
   */
  public static ShardData of(Snapshot s, int index, int count) {
    return of(s, null, index, count, AnnConfig.defaults());
  }

  /** As below, with the default channels (--channels' default) of the standard registry. */
  public static ShardData of(Snapshot s, Path versionDir, int index, int count, AnnConfig ann) {
    return of(
        s,
        versionDir,
        index,
        count,
        ann,
        RecallConfig.defaults().selection(ChannelRegistry.standard()));
  }

  /**
   * A shard of the snapshot stored in {@code versionDir} (null: nothing is cached), running {@code
   * channels} in that order; the embedding-search channel is the one {@code ann} configures, built
   * only when it is selected.
   */
  public static ShardData of(
      Snapshot s,
      Path versionDir,
      int index,
      int count,
      AnnConfig ann,
      List<ChannelRegistry.Selected> channels) {
    Catalog all = s.catalog();
    int[] rows = new int[all.size()];
    int n = 0;
    for (int r = 0; r < all.size(); r++) {
      if (ShardFunction.shardOf(all.ids[r], count) == index) {
        rows[n++] = r;
      }
    }
    final int[] keep = java.util.Arrays.copyOf(rows, n);
    boolean[] mine = new boolean[all.size()];
    for (int r : keep) {
      mine[r] = true;
    }
    Catalog shard = all.filter(r -> mine[r]);
    Embeddings e = s.itemEmbeddings();
    float[] data = new float[n * e.dimension()];
    for (int j = 0; j < n; j++) {
      e.copyRow(keep[j], data, j * e.dimension());
    }
    Embeddings shardEmbeddings = new Embeddings(n, e.dimension(), data);
    ShardResources resources =
        new ShardResources(
            shard,
            shardEmbeddings,
            s.itemNeighbours(),
            all.ids,
            () -> annSource(s.version(), shardEmbeddings, versionDir, index, count, ann));
    List<BoundChannel> bound = ChannelRegistry.build(channels, resources);
    return new ShardData(
        shard,
        shardEmbeddings,
        new RecallEngine(shard, bound),
        s.version(),
        s.categories(),
        index,
        count);
  }

  private static CandidateSource annSource(
      String version, Embeddings embeddings, Path versionDir, int index, int count, AnnConfig ann) {
    if (ann.kind() == AnnConfig.Kind.exact) {
      return new ExactEmbeddingCandidateSource(embeddings);
    }
    HnswIndex hnsw;
    if (versionDir == null) {
      hnsw = HnswIndex.build(embeddings, ann.params(), ann.effectiveBuildThreads());
    } else {
      Path file = ann.cacheFile(versionDir, version, index, count);
      HnswIndexCache.Result r =
          HnswIndexCache.loadOrBuild(file, embeddings, ann.params(), ann.effectiveBuildThreads());
      hnsw = r.index();
      LOG.info(
          () ->
              String.format(
                  "HNSW index for shard %d of %d: %s in %d ms (%s); %d items, %d tiers",
                  index,
                  count,
                  r.source().name().toLowerCase(java.util.Locale.ROOT),
                  r.millis(),
                  file,
                  hnsw.rows(),
                  hnsw.tierCount()));
      if (!r.note().isEmpty()) {
        LOG.warning(r.note());
      }
    }
    return new HnswCandidateSource(hnsw, ann.efSearch());
  }
}
