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

  @Option(names = "--default-ann-limit", defaultValue = "300",
      description = "Candidates from the embedding (ANN) channel when the request sets no limit; smaller than the"
          + " other channels' because an HNSW search costs grows with k (default: ${DEFAULT-VALUE}).")
  public int defaultAnn;

  @Option(names = "--max-limit", defaultValue = "10000",
      description = "Largest per-kind or per-channel limit a request may ask for (default: ${DEFAULT-VALUE}).")
  public int maxLimit;

  @Option(names = "--max-exclude-ids", defaultValue = "20000",
      description = "Most excluded ids per request (default: ${DEFAULT-VALUE}).")
  public int maxExcludeIds;

  @Option(names = "--max-embedding-ids", defaultValue = "5000",
      description = "Most ids per GetEmbeddings call (default: ${DEFAULT-VALUE}).")
  public int maxEmbeddingIds;

  @Option(names = "--channel-threads", defaultValue = "0",
      description = "Threads that run recall channels in parallel; 0 = 2 x processors (default: ${DEFAULT-VALUE}).")
  public int channelThreads;

  @Option(names = "--channel-shares", defaultValue = "ann=0.9,item_to_item=0.9,popular=0.9,category=0.9,fresh=0.9,live_now=0.9",
      description = "Share of the call's remaining deadline each channel may use; a channel still running then is"
          + " dropped and reported (default: ${DEFAULT-VALUE}).")
  public String channelShares;

  @Option(names = "--merge-reserve-ms", defaultValue = "1",
      description = "Time kept back from the channels' budget to merge and answer (default: ${DEFAULT-VALUE}).")
  public long mergeReserveMs;

  /** Parsed --channel-shares, indexed by channel number. */
  public double[] shares() {
    double[] out = new double[io.rankingcluster.core.recall.Channel.values().length + 1];
    java.util.Arrays.fill(out, 0.9);
    for (String entry : channelShares.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] kv = entry.trim().split("=");
      Validation.require(kv.length == 2, "--channel-shares entries must be channel=share, got '" + entry.trim() + "'");
      io.rankingcluster.core.recall.Channel channel = null;
      for (io.rankingcluster.core.recall.Channel c : io.rankingcluster.core.recall.Channel.values()) {
        if (c.label().equals(kv[0].trim())) {
          channel = c;
        }
      }
      Validation.require(channel != null, "--channel-shares: unknown channel '" + kv[0].trim() + "'");
      double share;
      try {
        share = Double.parseDouble(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new Validation.ConfigException("--channel-shares: '" + kv[1].trim() + "' is not a number");
      }
      Validation.require(share > 0 && share <= 1, "--channel-shares: share of " + kv[0].trim() + " must be in (0, 1]");
      out[channel.number()] = share;
    }
    return out;
  }

  public int effectiveChannelThreads() {
    return channelThreads > 0 ? channelThreads : 2 * Runtime.getRuntime().availableProcessors();
  }

  public void validate() {
    shares();
    Validation.require(channelThreads >= 0 && channelThreads <= 1024, "--channel-threads must be in [0, 1024], was " + channelThreads);
    Validation.require(mergeReserveMs >= 0 && mergeReserveMs < 1000, "--merge-reserve-ms must be in [0, 1000), was " + mergeReserveMs);
    Validation.require(maxEmbeddingIds >= 1, "--max-embedding-ids must be >= 1, was " + maxEmbeddingIds);
    for (int v : new int[] {defaultProducts, defaultVideos, defaultLive, defaultChannel, defaultAnn}) {
      Validation.require(v >= 0 && v <= maxLimit, "default limits must be in [0, --max-limit=" + maxLimit + "], got " + v);
    }
    Validation.require(maxLimit >= 1 && maxLimit <= 1_000_000, "--max-limit must be in [1, 1000000], was " + maxLimit);
    Validation.require(maxExcludeIds >= 0, "--max-exclude-ids must be >= 0, was " + maxExcludeIds);
  }

  int[] defaultKindLimits() {
    return new int[] {defaultProducts, defaultVideos, defaultLive};
  }
}
