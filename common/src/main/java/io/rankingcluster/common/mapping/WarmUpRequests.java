package io.rankingcluster.common.mapping;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.util.Arrays;

/**
 * The parts of the stages' warm-up calls, shaped as the mixer sends them: the snapshot's users in
 * turn (their recent items, affinities, typical price and vector) and the catalog's first items as
 * the candidates.
 */
public final class WarmUpRequests {
  private WarmUpRequests() {}

  /**
   * The context of warm-up call {@code i}: its request id, and the user id of the snapshot's row i.
   */
  public static RequestContext.Builder context(UserProfiles users, int i) {
    RequestContext.Builder c = RequestContext.newBuilder().setRequestId("warmup-" + i);
    if (users.size() > 0) {
      c.setUserId(users.userId(i % users.size()));
    }
    return c;
  }

  /**
   * The features of the snapshot's user row {@code i % users}; the vector only when {@code vectors}
   * has {@code dimension} columns (0: no vector); empty for a snapshot without users.
   */
  public static UserFeatures user(
      UserProfiles users, Embeddings vectors, int dimension, Catalog catalog, int i) {
    UserFeatures.Builder f = UserFeatures.newBuilder();
    if (users.size() == 0) {
      return f.setColdStart(true).build();
    }
    int u = i % users.size();
    long[] recent = users.recentItems(u);
    for (long id : recent) {
      f.addRecentItemIds(id);
    }
    UserProfiles.Affinities a = UserProfiles.affinities(recent, catalog);
    for (int k = 0; k < a.categories().length; k++) {
      f.addAffinityCategoryIds(a.categories()[k]).addAffinityWeights(a.weights()[k]);
    }
    f.setTypicalPrice(UserProfiles.typicalPrice(recent, catalog));
    if (vectors != null
        && dimension > 0
        && vectors.dimension() == dimension
        && u < vectors.rows()) {
      for (int k = 0; k < dimension; k++) {
        f.addUserVector(vectors.data()[vectors.offset(u) + k]);
      }
    }
    return f.build();
  }

  /** The catalog's first {@code n} items (or all) as a candidate block with zero scores. */
  public static CandidateBlock candidates(Catalog catalog, int n) {
    int size = Math.min(n, catalog.size());
    return ProtoMapping.block(
        new Candidates(
            Arrays.copyOf(catalog.ids, size),
            Arrays.copyOf(catalog.kinds, size),
            new float[size],
            new int[size],
            size));
  }
}
