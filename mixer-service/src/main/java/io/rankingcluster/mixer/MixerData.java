package io.rankingcluster.mixer;

import io.rankingcluster.core.Order;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.user.UserProfiles;

/**
 * What one snapshot version gives the mixer: the item table (sellers and titles for the page), the
 * category tree, user profiles and long-term user vectors (the user state it sends to the stages),
 * the most popular item ids (what the embedding cache pre-warms), the per-country popular lists of
 * the last-resort page ({@link LastResort}), and the creation time of its newest item. Item
 * embeddings are not kept: the mixer fetches the hot ones from the recall shards ({@link
 * EmbeddingCache}).
 */
public record MixerData(
    String version,
    Catalog catalog,
    CategoryTree tree,
    UserProfiles users,
    Embeddings userVectors,
    long[] popularIds,
    LastResort lastResort,
    long newestItemMs) {
  /** At most this many ids are kept in popularity order (the pre-warm takes a prefix). */
  static final int MAX_POPULAR = 100_000;

  public static MixerData of(Snapshot s) {
    Catalog c = s.catalog();
    float[] clicks = new float[c.size()];
    for (int i = 0; i < clicks.length; i++) {
      clicks[i] = c.clicks[i];
    }
    int[] order = Order.byScoreDescending(clicks, clicks.length);
    long[] popular = new long[Math.min(MAX_POPULAR, order.length)];
    for (int i = 0; i < popular.length; i++) {
      popular[i] = c.ids[order[i]];
    }
    long newest = 0;
    for (long t : c.createdMs) {
      newest = Math.max(newest, t);
    }
    return new MixerData(
        s.version(),
        c,
        s.categories(),
        s.users(),
        s.userVectors(),
        popular,
        LastResort.of(c, order),
        newest);
  }
}
