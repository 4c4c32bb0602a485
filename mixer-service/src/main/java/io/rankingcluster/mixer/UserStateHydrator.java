package io.rankingcluster.mixer;

import com.github.benmanes.caffeine.cache.Cache;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.embed.UserVectors;
import io.rankingcluster.core.pipeline.Hydrator;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The user's state, from the user-state cache (TTL) or built: profile signals, and the user vector
 * as the long-term vector of the snapshot plus the embeddings of the recent items (fetched through
 * the embedding cache), weighted by --recent-weight. An unknown user is a cold start, never an
 * error. Then the context every stage call carries: the request's, with the pinned version, the
 * arm's model versions, the country (the request's, else the user's home) and the client time.
 */
final class UserStateHydrator implements Hydrator<RecommendState> {
  private final Cache<String, RecommendState.UserState> cache;
  private final EmbeddingCache embeddings;
  private final float recentWeight;
  private final long budgetMs;

  UserStateHydrator(
      Cache<String, RecommendState.UserState> cache,
      EmbeddingCache embeddings,
      float recentWeight,
      long budgetMs) {
    this.cache = cache;
    this.embeddings = embeddings;
    this.recentWeight = recentWeight;
    this.budgetMs = budgetMs;
  }

  @Override
  public String id() {
    return "user_state";
  }

  @Override
  public void hydrate(RecommendState s) {
    MixerData d = s.data;
    RequestContext ctx = s.request.context();
    String key = d.version() + '\u0000' + ctx.getUserId();
    RecommendState.UserState state = cache.getIfPresent(key);
    if (state != null) {
      s.trace().detail("user-state cache hit");
    } else {
      state = build(s, d, ctx);
      cache.put(key, state);
    }
    s.trace().counts(0, state.recent().length);
    s.user = state;
    s.features = state.features();
    int country =
        s.request.country() >= 0
            ? s.request.country()
            : state.row() >= 0 ? d.users().country(state.row()) : -1;
    s.downstream =
        ctx.toBuilder()
            .putAllModelVersions(modelVersions(s))
            .setRequestId(s.request.requestId())
            .setSnapshotVersion(d.version())
            .setCountry(country >= 0 ? Catalog.COUNTRIES[country] : "")
            .setClientTimeMs(s.request.clientTimeMs())
            .build();
  }

  private RecommendState.UserState build(RecommendState s, MixerData d, RequestContext ctx) {
    UserProfiles users = d.users();
    Catalog catalog = d.catalog();
    int row = users.rowOf(ctx.getUserId());
    long[] recent = row < 0 ? new long[0] : users.recentItems(row);
    UserSignals user =
        UserSignals.of(recent, catalog, d.tree().parentCount(), d.tree().leavesPerParent());
    UserFeatures.Builder features = ProtoMapping.features(user).toBuilder();
    Embeddings longTerm = d.userVectors();
    float[] vector = null;
    if (row >= 0 && longTerm.dimension() > 0) {
      vector = new float[longTerm.dimension()];
      longTerm.copyRow(row, vector, 0);
    }
    String detail = row < 0 ? "cold start" : "known user";
    if (recent.length > 0 && recentWeight > 0) {
      long nanos =
          Math.min(
              TimeUnit.MILLISECONDS.toNanos(budgetMs), Math.max(0, s.budget.remainingNanos() / 10));
      EmbeddingCache.Lookup l =
          embeddings.get(
              d.version(),
              recent,
              recent.length,
              nanos,
              ctx.toBuilder().setRequestId(s.request.requestId()).build());
      vector = UserVectors.blend(vector, l.vectors(), recentWeight);
      detail += "; recent items' " + SlotBlend.cacheDetail(l);
    }
    if (vector != null) {
      for (float v : vector) {
        features.addUserVector(v);
      }
    }
    s.trace().detail(detail);
    return new RecommendState.UserState(row, recent, features.build());
  }

  /**
   * The arm's model versions for the stages (its other settings, such as blend, stay in the mixer).
   */
  private static Map<String, String> modelVersions(RecommendState s) {
    Map<String, String> out = new HashMap<>(s.arm.settings());
    out.remove("blend");
    return out;
  }
}
