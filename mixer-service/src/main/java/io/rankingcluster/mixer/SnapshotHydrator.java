package io.rankingcluster.mixer;

import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.pipeline.Hydrator;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.Arrays;

/**
 * Pins the one snapshot version of the request (clients normally pin none: the current one; a
 * version the mixer no longer holds is answered from the current one, degraded "version_skew"). The
 * first request of a version starts the pre-warm of the embedding cache with its most popular
 * items.
 */
final class SnapshotHydrator implements Hydrator<RecommendState> {
  private final Versioned<MixerData> data;
  private final EmbeddingCache embeddings;
  private final int prewarmItems;

  SnapshotHydrator(Versioned<MixerData> data, EmbeddingCache embeddings, int prewarmItems) {
    this.data = data;
    this.embeddings = embeddings;
    this.prewarmItems = prewarmItems;
  }

  @Override
  public String id() {
    return "snapshot";
  }

  @Override
  public void hydrate(RecommendState s) {
    String requested = s.request.context().getSnapshotVersion();
    Versioned.Entry<MixerData> pinned = data.forVersion(requested);
    s.data = pinned.state();
    String version = s.data.version();
    if (pinned.isSkewFor(requested)) {
      s.trace().versionSkew("mixer", requested, version);
    }
    if (!embeddings.prewarmStarted(version)) {
      // Once per version: the copy of the popular ids (160 KB by default) is not made on every
      // request.
      long[] popular = s.data.popularIds();
      embeddings.prewarm(
          version,
          Arrays.copyOf(popular, Math.min(prewarmItems, popular.length)),
          RequestContext.newBuilder().setRequestId("prewarm-" + version).build());
    }
    s.trace().detail(version);
  }
}
