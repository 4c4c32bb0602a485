package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.user.UserProfiles;
import java.util.Map;

/**
 * Everything a service may load from one snapshot version. Item embeddings and neighbours are
 * aligned with catalog rows, user vectors with profile rows. {@code models} holds model files by
 * name (for example "prerank", "rank"), opaque here; {@code modelVersions} names their versions.
 */
public record Snapshot(
    String version,
    CategoryTree categories,
    Catalog catalog,
    UserProfiles users,
    Embeddings itemEmbeddings,
    Embeddings userVectors,
    ItemNeighbours itemNeighbours,
    Map<String, byte[]> models,
    Map<String, String> modelVersions,
    Map<String, String> provenance) {}
