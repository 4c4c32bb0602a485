package io.rankingcluster.recall;

import io.rankingcluster.core.recall.ChannelRegistry;
import picocli.CommandLine.Option;

/** Server-side defaults and maxima for recall quotas (a picocli mixin). */
public final class RecallLimits {
  @Option(
      names = "--default-product-limit",
      defaultValue = "1200",
      description =
          "Products per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultProducts;

  @Option(
      names = "--default-video-limit",
      defaultValue = "600",
      description = "Videos per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultVideos;

  @Option(
      names = "--default-live-limit",
      defaultValue = "200",
      description =
          "Live streams per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultLive;

  @Option(
      names = "--default-channel-limit",
      defaultValue = "800",
      description =
          "Candidates per channel when the request sets no limit and --channels gives none"
              + " (default: ${DEFAULT-VALUE}).")
  public int defaultChannel;

  @Option(
      names = "--channels",
      defaultValue = ChannelRegistry.DEFAULT_SELECTION,
      description =
          "The recall channels this shard runs, in merge order, as name[:limit] (a bare name takes"
              + " --default-channel-limit; a channel not listed is off; an unknown name stops the"
              + " start). The embedding search (ann) has a smaller limit because an HNSW search"
              + " costs more with k. Registered: ann, item_to_item, popular, category, fresh,"
              + " live_now (default: ${DEFAULT-VALUE}).")
  public String channels;

  @Option(
      names = "--max-limit",
      defaultValue = "10000",
      description =
          "Largest per-kind or per-channel limit a request may ask for (default:"
              + " ${DEFAULT-VALUE}).")
  public int maxLimit;

  @Option(
      names = "--max-exclude-ids",
      defaultValue = "20000",
      description = "Most excluded ids per request (default: ${DEFAULT-VALUE}).")
  public int maxExcludeIds;

  @Option(
      names = "--max-embedding-ids",
      defaultValue = "5000",
      description = "Most ids per GetEmbeddings call (default: ${DEFAULT-VALUE}).")
  public int maxEmbeddingIds;

  @Option(
      names = "--channel-threads",
      defaultValue = "0",
      description =
          "Threads that run recall channels in parallel; 0 = 2 x processors (default:"
              + " ${DEFAULT-VALUE}).")
  public int channelThreads;

  @Option(
      names = "--channel-shares",
      defaultValue = "",
      description =
          "Share of the call's remaining deadline a channel may use, as name=share pairs (0 < share"
              + " <= 1); a channel not named gets 0.9. A channel still running then is dropped and"
              + " reported (default: none).")
  public String channelShares;

  @Option(
      names = "--merge-reserve-ms",
      defaultValue = "1",
      description =
          "Time kept back from the channels' budget to merge and answer (default:"
              + " ${DEFAULT-VALUE}).")
  public long mergeReserveMs;

  /** The parsed values as an immutable, validated {@link RecallConfig}. */
  public RecallConfig config() {
    return new RecallConfig(
        defaultProducts,
        defaultVideos,
        defaultLive,
        defaultChannel,
        channels,
        maxLimit,
        maxExcludeIds,
        maxEmbeddingIds,
        channelThreads,
        channelShares,
        mergeReserveMs);
  }
}
