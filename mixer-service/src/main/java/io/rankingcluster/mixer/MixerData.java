package io.rankingcluster.mixer;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.user.UserProfiles;

/**
 * What one snapshot version gives the mixer: the item table (sellers and titles for the page), the category
 * tree, user profiles and user vectors (the user state it sends to the stages), and item embeddings (for the
 * diversity of the page).
 */
public record MixerData(String version, Catalog catalog, CategoryTree tree, UserProfiles users, Embeddings userVectors,
    Embeddings itemEmbeddings) {
  public static MixerData of(Snapshot s) {
    return new MixerData(s.version(), s.catalog(), s.categories(), s.users(), s.userVectors(), s.itemEmbeddings());
  }
}
