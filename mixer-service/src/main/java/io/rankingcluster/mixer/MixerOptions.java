package io.rankingcluster.mixer;

import picocli.CommandLine.Option;

/**
 * The mixer's own settings (a picocli mixin): downstream addresses, budgets, page size, page
 * tokens.
 */
public final class MixerOptions {
  @Option(
      names = "--recall-targets",
      defaultValue = "127.0.0.1:9091",
      description =
          "Recall shards in shard order, comma-separated. A shard is host:port, its replicas joined"
              + " by '|' (127.0.0.2:9091|127.0.0.3:9091), or a gRPC URI such as"
              + " dns:///recall-0.recall:9091; calls are spread round-robin over replicas (default:"
              + " ${DEFAULT-VALUE}).")
  public String recallTargets;

  @Option(
      names = "--prerank-target",
      defaultValue = "127.0.0.1:9092",
      description =
          "Prerank host:port, replicas joined by '|', or a gRPC URI (default: ${DEFAULT-VALUE}).")
  public String prerankTarget;

  @Option(
      names = "--rank-target",
      defaultValue = "127.0.0.1:9093",
      description =
          "Rank host:port, replicas joined by '|', or a gRPC URI (default: ${DEFAULT-VALUE}).")
  public String rankTarget;

  @Option(
      names = "--budget-shares",
      split = ",",
      defaultValue = "0.30,0.15,0.30,0.05",
      description =
          "Shares of the deadline for recall,prerank,rank,blend; the rest is slack for the network"
              + " and the tail. Each stage gets its share of what remains (default:"
              + " ${DEFAULT-VALUE}).")
  public double[] budgetShares;

  @Option(
      names = "--reserve-ms",
      defaultValue = "3",
      description =
          "Time kept back before the deadline to build and send the answer (default:"
              + " ${DEFAULT-VALUE}).")
  public long reserveMs;

  @Option(
      names = "--default-page-size",
      defaultValue = "20",
      description = "Page size when the request says 0 (default: ${DEFAULT-VALUE}).")
  public int defaultPageSize;

  @Option(
      names = "--max-page-size",
      defaultValue = "100",
      description = "Largest page size accepted (default: ${DEFAULT-VALUE}).")
  public int maxPageSize;

  @Option(
      names = "--recall-per-kind",
      split = ",",
      defaultValue = "1200,600,200",
      description =
          "Candidates asked from recall in all, per kind: products,videos,live streams; split over"
              + " shards with the over-fetch factor (default: ${DEFAULT-VALUE}).")
  public int[] recallPerKind;

  @Option(
      names = "--over-fetch",
      defaultValue = "1.5",
      description =
          "Each shard is asked for (global quota / shards) x this factor (default:"
              + " ${DEFAULT-VALUE}).")
  public double overFetch;

  @Option(
      names = "--prerank-top-k",
      split = ",",
      defaultValue = "250,110,40",
      description =
          "Survivors of prerank per kind: products,videos,live streams (default:"
              + " ${DEFAULT-VALUE}).")
  public int[] prerankTopK;

  @Option(
      names = "--rank-max",
      defaultValue = "200",
      description = "Candidates sent to rank, best prerank first (default: ${DEFAULT-VALUE}).")
  public int rankMax;

  @Option(
      names = "--page-token-keys",
      defaultValue = "",
      description =
          "HMAC keys for page tokens as id:base64 pairs, comma-separated (id 0..255, key >= 16"
              + " bytes). Every mixer replica needs the same keys. Empty: a random key per process"
              + " (tokens die with it).")
  public String pageTokenKeys;

  @Option(
      names = "--page-token-key-id",
      defaultValue = "1",
      description = "Key id that signs new tokens (default: ${DEFAULT-VALUE}).")
  public int pageTokenKeyId;

  @Option(
      names = "--page-token-ttl-seconds",
      defaultValue = "3600",
      description = "Page tokens expire after this (default: ${DEFAULT-VALUE}).")
  public long pageTokenTtlSeconds;

  @Option(
      names = "--kind-share",
      split = ",",
      defaultValue = "0.6,0.3,0.1",
      description =
          "Blend: target share per kind, products,videos,live streams (default: ${DEFAULT-VALUE}).")
  public float[] kindShare;

  @Option(
      names = "--mmr-lambda",
      defaultValue = "0.8",
      description =
          "Blend: diversity by maximal marginal relevance inside each kind; 1 keeps the ranking"
              + " order, lower values trade value for dissimilar items (default:"
              + " ${DEFAULT-VALUE}).")
  public float mmrLambda;

  @Option(
      names = "--blend-config",
      defaultValue = "",
      description =
          "A JSON file of named blending rules (message BlendConfigFile in"
              + " proto/ranking/v1/config.proto); reloaded without a restart when it changes."
              + " Empty: one configuration from --kind-share and --mmr-lambda (default: none).")
  public String blendConfig;

  @Option(
      names = "--blend-config-poll-ms",
      defaultValue = "2000",
      description =
          "How often the --blend-config file is checked for changes (default: ${DEFAULT-VALUE}).")
  public long blendConfigPollMs;

  @Option(
      names = "--experiment",
      defaultValue = "default",
      description =
          "Name of the running experiment; it salts the user hash, so a new name reshuffles users"
              + " (default: ${DEFAULT-VALUE}).")
  public String experiment;

  @Option(
      names = "--experiment-arms",
      defaultValue = "control:1",
      description =
          "Arms as name:share[:setting=value,...], separated by ';' (shares sum to 1), e.g."
              + " 'control:0.5;treatment:0.5:rank=rank-mtl-s43,blend=video-heavy'. Settings:"
              + " prerank= and rank= (model versions), blend= (a configuration of --blend-config)."
              + " An arm without settings serves the defaults (default: ${DEFAULT-VALUE}).")
  public String experimentArms;

  @Option(
      names = "--hedge-delay-ms",
      defaultValue = "10",
      description =
          "Recall: when a shard replica has not answered after this, the same call also goes to"
              + " another replica and the first answer wins (gRPC hedging; only for a shard given"
              + " several replicas or a dns:/// name; 0 = off; without hedging Recall is retried"
              + " like the other reads) (default: ${DEFAULT-VALUE}).")
  public long hedgeDelayMs;

  @Option(
      names = "--stage-hedge-delay-ms",
      defaultValue = "20",
      description =
          "Prerank and Rank: when a replica has not answered after this, the call also goes to"
              + " another replica (only for a stage given several replicas or a dns:/// name; 0 ="
              + " off, the calls are then retried on UNAVAILABLE) (default: ${DEFAULT-VALUE}).")
  public long stageHedgeDelayMs;

  @Option(
      names = "--retry-max-attempts",
      defaultValue = "2",
      description =
          "Attempts per read (prerank, rank, GetEmbeddings) when a replica is UNAVAILABLE, with"
              + " retry throttling; 1 = no retries (default: ${DEFAULT-VALUE}).")
  public int retryMaxAttempts;

  @Option(
      names = "--breaker-failure-rate",
      defaultValue = "50",
      description =
          "Circuit breaker per stage and shard: opens at this failure percentage (UNAVAILABLE,"
              + " DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL) over the window (default:"
              + " ${DEFAULT-VALUE}).")
  public float breakerFailureRate;

  @Option(
      names = "--breaker-window",
      defaultValue = "20",
      description = "Circuit breaker: the last N calls judged (default: ${DEFAULT-VALUE}).")
  public int breakerWindow;

  @Option(
      names = "--breaker-min-calls",
      defaultValue = "10",
      description =
          "Circuit breaker: calls needed before the failure rate counts (default:"
              + " ${DEFAULT-VALUE}).")
  public int breakerMinCalls;

  @Option(
      names = "--breaker-open-ms",
      defaultValue = "2000",
      description =
          "Circuit breaker: time open (failing fast) before trial calls (default:"
              + " ${DEFAULT-VALUE}).")
  public long breakerOpenMs;

  @Option(
      names = "--breaker-half-open-calls",
      defaultValue = "3",
      description =
          "Circuit breaker: trial calls in half-open that decide between closing and reopening"
              + " (default: ${DEFAULT-VALUE}).")
  public int breakerHalfOpenCalls;

  @Option(
      names = "--bulkhead-max-calls",
      defaultValue = "64",
      description =
          "Calls in flight to one stage or shard at most; beyond it a call is not sent and the"
              + " request degrades (default: ${DEFAULT-VALUE}).")
  public int bulkheadMaxCalls;

  @Option(
      names = "--quality-latency-share",
      defaultValue = "0.25",
      description =
          "Quality factor: when more than 5% of a window's requests take at least this share of"
              + " their deadline (0.25: 50 ms of 200, the capacity bar; below the 0.5 at which the"
              + " concurrency limit starts refusing), recall quotas and rank's input shrink (x0.8"
              + " per window, down to --quality-min-factor); they grow back by 0.05 per window once"
              + " under 1% do. Pages built with less than the full counts are degraded with cause"
              + " quality_factor (default: ${DEFAULT-VALUE}).")
  public double qualityLatencyShare;

  @Option(
      names = "--quality-min-factor",
      defaultValue = "0.3",
      description =
          "Quality factor: the smallest share of the full candidate counts; 1 turns the factor off"
              + " (default: ${DEFAULT-VALUE}).")
  public double qualityMinFactor;

  @Option(
      names = "--quality-window-ms",
      defaultValue = "250",
      description =
          "Quality factor: how often it is judged from the requests that ended since (default:"
              + " ${DEFAULT-VALUE}).")
  public long qualityWindowMs;

  @Option(
      names = "--breaker-self-lag-ms",
      defaultValue = "20",
      description =
          "A stage call that misses its deadline while the mixer itself is starved (a 5 ms timer"
              + " of the mixer woke this much late or more in the last second: its CPU, GC or"
              + " queue) is not counted by the stage's circuit breaker; 0 counts every miss"
              + " (default: ${DEFAULT-VALUE}).")
  public long breakerSelfLagMs;

  @Option(
      names = "--min-stage-budget-ms",
      defaultValue = "2",
      description =
          "A stage call sent with less budget than this is not counted by the circuit breaker, so"
              + " short client deadlines cannot open it (default: ${DEFAULT-VALUE}).")
  public long minStageBudgetMs;

  @Option(
      names = "--reconnect-check-ms",
      defaultValue = "500",
      description =
          "How often the reconnect backoff of the stage channels is reset, so a restarted replica"
              + " gets traffic again within about this time (default: ${DEFAULT-VALUE}).")
  public long reconnectCheckMs;

  @Option(
      names = "--embedding-cache-mb",
      defaultValue = "64",
      description =
          "Hot item embeddings kept by the mixer (fetched from the recall shards), in MiB"
              + " (default: ${DEFAULT-VALUE}).")
  public long embeddingCacheMb;

  @Option(
      names = "--prewarm-items",
      defaultValue = "20000",
      description =
          "When a snapshot version appears, the embeddings of this many most popular items are"
              + " loaded in the background (default: ${DEFAULT-VALUE}).")
  public int prewarmItems;

  @Option(
      names = "--recent-weight",
      defaultValue = "0.3",
      description =
          "User vector = long-term vector + this weight x the mean embedding of the recent items"
              + " (scaled to the same length); 0 = long-term only (default: ${DEFAULT-VALUE}).")
  public float recentWeight;

  @Option(
      names = "--user-state-budget-ms",
      defaultValue = "10",
      description =
          "At most this long (and a tenth of the remaining deadline) to fetch recent items'"
              + " embeddings (default: ${DEFAULT-VALUE}).")
  public long userStateBudgetMs;

  @Option(
      names = "--user-state-ttl-ms",
      defaultValue = "30000",
      description =
          "User state (features and vector) is cached this long per user and snapshot version"
              + " (default: ${DEFAULT-VALUE}).")
  public long userStateTtlMs;

  @Option(
      names = "--user-state-cache-size",
      defaultValue = "100000",
      description = "Users whose state is cached at most (default: ${DEFAULT-VALUE}).")
  public long userStateCacheSize;

  @Option(
      names = "--tls-ca",
      defaultValue = "",
      description =
          "TLS to the stages: trust these CAs (PEM). Setting this, or --tls-client-cert, makes"
              + " every stage channel TLS (default: plaintext).")
  public String tlsCa;

  @Option(
      names = "--tls-client-cert",
      defaultValue = "",
      description = "mTLS to the stages: the mixer's certificate chain (PEM).")
  public String tlsClientCert;

  @Option(
      names = "--tls-client-key",
      defaultValue = "",
      description = "mTLS to the stages: the mixer's private key (PEM, PKCS#8).")
  public String tlsClientKey;

  @Option(
      names = "--tls-authority",
      defaultValue = "",
      description =
          "TLS: the name checked against the stages' certificates instead of the target's host (for"
              + " example when the targets are IP addresses).")
  public String tlsAuthority;

  /** The parsed values as an immutable, validated {@link MixerConfig}. */
  public MixerConfig config() {
    return new MixerConfig(
        recallTargets,
        prerankTarget,
        rankTarget,
        budgetShares,
        reserveMs,
        defaultPageSize,
        maxPageSize,
        recallPerKind,
        overFetch,
        prerankTopK,
        rankMax,
        pageTokenKeys,
        pageTokenKeyId,
        pageTokenTtlSeconds,
        kindShare,
        mmrLambda,
        blendConfig,
        blendConfigPollMs,
        experiment,
        experimentArms,
        hedgeDelayMs,
        stageHedgeDelayMs,
        retryMaxAttempts,
        breakerFailureRate,
        breakerWindow,
        breakerMinCalls,
        breakerOpenMs,
        breakerHalfOpenCalls,
        bulkheadMaxCalls,
        qualityLatencyShare,
        qualityMinFactor,
        qualityWindowMs,
        breakerSelfLagMs,
        minStageBudgetMs,
        reconnectCheckMs,
        embeddingCacheMb,
        prewarmItems,
        recentWeight,
        userStateBudgetMs,
        userStateTtlMs,
        userStateCacheSize,
        tlsCa,
        tlsClientCert,
        tlsClientKey,
        tlsAuthority);
  }
}
