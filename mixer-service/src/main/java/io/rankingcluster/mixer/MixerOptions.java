package io.rankingcluster.mixer;

import io.rankingcluster.common.server.Validation;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** Plaintext, TLS or mTLS credentials for the stage channels. */
  public io.grpc.ChannelCredentials channelCredentials() {
    if (tlsCa.isEmpty() && tlsClientCert.isEmpty()) {
      return io.grpc.InsecureChannelCredentials.create();
    }
    try {
      io.grpc.TlsChannelCredentials.Builder b = io.grpc.TlsChannelCredentials.newBuilder();
      if (!tlsCa.isEmpty()) {
        b.trustManager(new java.io.File(tlsCa));
      }
      if (!tlsClientCert.isEmpty()) {
        b.keyManager(new java.io.File(tlsClientCert), new java.io.File(tlsClientKey));
      }
      return b.build();
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new Validation.ConfigException(
          "--tls-ca/--tls-client-cert/--tls-client-key: cannot load (" + e.getMessage() + ")");
    }
  }

  /** The experiment router for --experiment and --experiment-arms. */
  public io.rankingcluster.core.experiment.ExperimentRouter experimentRouter() {
    List<io.rankingcluster.core.experiment.ExperimentRouter.Arm> arms = new ArrayList<>();
    for (String spec : experimentArms.split(";")) {
      if (spec.isBlank()) {
        continue;
      }
      String[] parts = spec.trim().split(":");
      Validation.require(
          parts.length == 2 || parts.length == 3,
          "--experiment-arms entries must be name:share[:stage=model,...], got '"
              + spec.trim()
              + "'");
      double share;
      try {
        share = Double.parseDouble(parts[1]);
      } catch (NumberFormatException e) {
        throw new Validation.ConfigException(
            "--experiment-arms: share of '" + parts[0] + "' is not a number");
      }
      Map<String, String> models = new HashMap<>();
      if (parts.length == 3) {
        for (String kv : parts[2].split(",")) {
          String[] pair = kv.split("=");
          Validation.require(
              pair.length == 2
                  && (pair[0].equals("prerank")
                      || pair[0].equals("rank")
                      || pair[0].equals("blend")),
              "--experiment-arms: settings of '"
                  + parts[0]
                  + "' must be prerank=..., rank=... or blend=..., got '"
                  + kv
                  + "'");
          models.put(pair[0], pair[1]);
        }
      }
      arms.add(
          new io.rankingcluster.core.experiment.ExperimentRouter.Arm(
              parts[0], share, Map.copyOf(models)));
    }
    try {
      return new io.rankingcluster.core.experiment.ExperimentRouter(experiment, arms);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--experiment-arms: " + e.getMessage());
    }
  }

  /** The blend configurations named by experiment arms. */
  public java.util.Set<String> armBlendNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (var arm : experimentRouter().arms()) {
      String blend = arm.settings().get("blend");
      if (blend != null) {
        names.add(blend);
      }
    }
    return names;
  }

  public void validate() {
    experimentRouter();
    Validation.require(
        tlsClientCert.isEmpty() == tlsClientKey.isEmpty(),
        "--tls-client-cert and --tls-client-key go together");
    for (String f : new String[] {tlsCa, tlsClientCert, tlsClientKey}) {
      Validation.require(
          f.isEmpty() || java.nio.file.Files.isReadable(java.nio.file.Path.of(f)),
          "TLS file " + f + " does not exist or cannot be read");
    }
    Validation.require(
        blendConfigPollMs >= 100,
        "--blend-config-poll-ms must be >= 100, was " + blendConfigPollMs);
    Validation.require(
        mmrLambda >= 0 && mmrLambda <= 1, "--mmr-lambda must be in [0, 1], was " + mmrLambda);
    shardTargets().forEach(t -> target("--recall-targets", t));
    target("--prerank-target", prerankTarget);
    target("--rank-target", rankTarget);
    Validation.require(
        hedgeDelayMs >= 0 && hedgeDelayMs <= 10_000,
        "--hedge-delay-ms must be in [0, 10000], was " + hedgeDelayMs);
    Validation.require(
        stageHedgeDelayMs >= 0 && stageHedgeDelayMs <= 10_000,
        "--stage-hedge-delay-ms must be in [0, 10000], was " + stageHedgeDelayMs);
    Validation.require(
        retryMaxAttempts >= 1 && retryMaxAttempts <= 5,
        "--retry-max-attempts must be in [1, 5], was " + retryMaxAttempts);
    Validation.require(
        breakerFailureRate > 0 && breakerFailureRate <= 100,
        "--breaker-failure-rate must be in (0, 100], was " + breakerFailureRate);
    Validation.require(
        breakerWindow >= 1 && breakerWindow <= 10_000,
        "--breaker-window must be in [1, 10000], was " + breakerWindow);
    Validation.require(
        breakerMinCalls >= 1 && breakerMinCalls <= breakerWindow,
        "--breaker-min-calls must be in [1, --breaker-window="
            + breakerWindow
            + "], was "
            + breakerMinCalls);
    Validation.require(breakerOpenMs >= 1, "--breaker-open-ms must be >= 1, was " + breakerOpenMs);
    Validation.require(
        breakerHalfOpenCalls >= 1,
        "--breaker-half-open-calls must be >= 1, was " + breakerHalfOpenCalls);
    Validation.require(
        bulkheadMaxCalls >= 1, "--bulkhead-max-calls must be >= 1, was " + bulkheadMaxCalls);
    Validation.require(
        minStageBudgetMs >= 0, "--min-stage-budget-ms must be >= 0, was " + minStageBudgetMs);
    Validation.require(
        embeddingCacheMb >= 1 && embeddingCacheMb <= 65_536,
        "--embedding-cache-mb must be in [1, 65536], was " + embeddingCacheMb);
    Validation.require(
        prewarmItems >= 0 && prewarmItems <= MixerData.MAX_POPULAR,
        "--prewarm-items must be in [0, " + MixerData.MAX_POPULAR + "], was " + prewarmItems);
    Validation.require(
        recentWeight >= 0 && recentWeight <= 10 && Float.isFinite(recentWeight),
        "--recent-weight must be in [0, 10], was " + recentWeight);
    Validation.require(
        userStateBudgetMs >= 0, "--user-state-budget-ms must be >= 0, was " + userStateBudgetMs);
    Validation.require(
        userStateTtlMs >= 0,
        "--user-state-ttl-ms must be >= 0 (0 = no caching), was " + userStateTtlMs);
    Validation.require(
        userStateCacheSize >= 0, "--user-state-cache-size must be >= 0, was " + userStateCacheSize);
    Validation.require(
        reconnectCheckMs >= 50 && reconnectCheckMs <= 60_000,
        "--reconnect-check-ms must be in [50, 60000], was " + reconnectCheckMs);
    Validation.require(
        budgetShares.length == 4, "--budget-shares needs four numbers: recall,prerank,rank,blend");
    double sum = 0;
    for (double s : budgetShares) {
      Validation.require(s > 0 && s < 1, "--budget-shares entries must be in (0, 1), got " + s);
      sum += s;
    }
    Validation.require(sum <= 1.0 + 1e-9, "--budget-shares must sum to at most 1, sum to " + sum);
    Validation.require(
        reserveMs >= 0 && reserveMs < 1000, "--reserve-ms must be in [0, 1000), was " + reserveMs);
    Validation.require(
        maxPageSize >= 1 && maxPageSize <= 1000,
        "--max-page-size must be in [1, 1000], was " + maxPageSize);
    Validation.require(
        defaultPageSize >= 1 && defaultPageSize <= maxPageSize,
        "--default-page-size must be in [1, --max-page-size="
            + maxPageSize
            + "], was "
            + defaultPageSize);
    Validation.require(recallPerKind.length == 3, "--recall-per-kind needs three numbers");
    Validation.require(prerankTopK.length == 3, "--prerank-top-k needs three numbers");
    Validation.require(kindShare.length == 3, "--kind-share needs three numbers");
    for (float s : kindShare) {
      Validation.require(
          s >= 0 && Float.isFinite(s), "--kind-share entries must be finite and >= 0, got " + s);
    }
    Validation.require(
        overFetch >= 1 && overFetch <= 10, "--over-fetch must be in [1, 10], was " + overFetch);
    Validation.require(
        rankMax >= 1 && rankMax <= 2000, "--rank-max must be in [1, 2000], was " + rankMax);
    Validation.require(
        pageTokenTtlSeconds >= 1,
        "--page-token-ttl-seconds must be >= 1, was " + pageTokenTtlSeconds);
    Map<Integer, byte[]> keys = pageTokenKeyMap();
    Validation.require(
        keys.isEmpty() || keys.containsKey(pageTokenKeyId),
        "--page-token-key-id " + pageTokenKeyId + " is not among --page-token-keys");
  }

  /** A target: host:port replicas joined by '|', or a dns:/// (or other gRPC) URI. */
  private static void target(String flag, String spec) {
    if (spec.contains("://") || spec.startsWith("dns:")) {
      Validation.require(
          spec.startsWith("dns:"),
          flag + ": only dns:/// URIs are supported besides host:port lists, got '" + spec + "'");
      return;
    }
    List<String> replicas = Channels.replicas(spec);
    Validation.require(!replicas.isEmpty(), flag + ": a target lists no replica: '" + spec + "'");
    replicas.forEach(r -> Validation.hostPort(flag, r));
  }

  public List<String> shardTargets() {
    List<String> out = new ArrayList<>();
    for (String t : recallTargets.split(",")) {
      if (!t.isBlank()) {
        out.add(t.trim());
      }
    }
    Validation.require(!out.isEmpty(), "--recall-targets must name at least one shard");
    return out;
  }

  /** Parsed --page-token-keys; empty when none are configured. */
  public Map<Integer, byte[]> pageTokenKeyMap() {
    Map<Integer, byte[]> keys = new HashMap<>();
    for (String pair : pageTokenKeys.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int colon = pair.indexOf(':');
      Validation.require(
          colon > 0, "--page-token-keys entries must be id:base64, got '" + pair.trim() + "'");
      int id;
      byte[] key;
      try {
        id = Integer.parseInt(pair.substring(0, colon).trim());
        key = Base64.getDecoder().decode(pair.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new Validation.ConfigException(
            "--page-token-keys entry for '"
                + pair.substring(0, colon).trim()
                + "' is not id:base64");
      }
      Validation.require(id >= 0 && id <= 255, "--page-token-keys ids must be 0..255, got " + id);
      Validation.require(
          key.length >= 16, "--page-token-keys key " + id + " must be at least 16 bytes");
      keys.put(id, key);
    }
    return keys;
  }
}
