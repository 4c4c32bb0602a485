package io.rankingcluster.core.recall;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import java.util.function.Supplier;

/**
 * What a channel of one shard may be built from: the shard's own items and their embeddings, the
 * snapshot's item-to-item lists with the ids they index (every item of the snapshot: a user's
 * recent items live on any shard), and the shard's embedding-search source (HNSW or the exact scan,
 * as the service configures it; built only when a channel asks for it).
 */
public record ShardResources(
    Catalog catalog,
    Embeddings embeddings,
    ItemNeighbours neighbours,
    long[] neighbourIds,
    Supplier<CandidateSource> ann) {
  /** Over a whole catalog (offline evaluation, tests): the exact scan as the embedding search. */
  public static ShardResources of(
      Catalog catalog, Embeddings embeddings, ItemNeighbours neighbours) {
    return new ShardResources(
        catalog,
        embeddings,
        neighbours,
        catalog.ids,
        () -> new ExactEmbeddingCandidateSource(embeddings));
  }
}
