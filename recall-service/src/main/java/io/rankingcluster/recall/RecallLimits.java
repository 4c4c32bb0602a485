package io.rankingcluster.recall;

import io.rankingcluster.common.server.Validation;
import picocli.CommandLine.Option;

/** Server-side defaults and maxima for recall quotas (a picocli mixin). */
public final class RecallLimits {
  @Option(names = "--default-product-limit", defaultValue = "1200",
      description = "Products per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultProducts;

  @Option(names = "--default-video-limit", defaultValue = "600",
      description = "Videos per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultVideos;

  @Option(names = "--default-live-limit", defaultValue = "200",
      description = "Live streams per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultLive;

  @Option(names = "--default-channel-limit", defaultValue = "800",
      description = "Candidates per channel when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultChannel;

  @Option(names = "--max-limit", defaultValue = "10000",
      description = "Largest per-kind or per-channel limit a request may ask for (default: ${DEFAULT-VALUE}).")
  public int maxLimit;

  @Option(names = "--max-exclude-ids", defaultValue = "20000",
      description = "Most excluded ids per request (default: ${DEFAULT-VALUE}).")
  public int maxExcludeIds;

  @Option(names = "--max-embedding-ids", defaultValue = "5000",
      description = "Most ids per GetEmbeddings call (default: ${DEFAULT-VALUE}).")
  public int maxEmbeddingIds;

  public void validate() {
    Validation.require(maxEmbeddingIds >= 1, "--max-embedding-ids must be >= 1, was " + maxEmbeddingIds);
    for (int v : new int[] {defaultProducts, defaultVideos, defaultLive, defaultChannel}) {
      Validation.require(v >= 0 && v <= maxLimit, "default limits must be in [0, --max-limit=" + maxLimit + "], got " + v);
    }
    Validation.require(maxLimit >= 1 && maxLimit <= 1_000_000, "--max-limit must be in [1, 1000000], was " + maxLimit);
    Validation.require(maxExcludeIds >= 0, "--max-exclude-ids must be >= 0, was " + maxExcludeIds);
  }

  int[] defaultKindLimits() {
    return new int[] {defaultProducts, defaultVideos, defaultLive};
  }
}
