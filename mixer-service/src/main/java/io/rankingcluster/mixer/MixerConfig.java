package io.rankingcluster.mixer;

import io.rankingcluster.common.server.Validation;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mixer's own settings: downstream addresses, budgets, quotas, page size and tokens, blending,
 * experiments, resilience, caches, TLS to the stages. Immutable and validated when built: from the
 * flags ({@link MixerOptions#config()}) or, in tests, from flag strings ({@link #parse}); a bad
 * value is a {@link io.rankingcluster.common.server.Validation.ConfigException} naming the flag.
 */
public record MixerConfig(
    String recallTargets,
    String prerankTarget,
    String rankTarget,
    double[] budgetShares,
    long reserveMs,
    int defaultPageSize,
    int maxPageSize,
    int[] recallPerKind,
    double overFetch,
    int[] prerankTopK,
    int rankMax,
    String pageTokenKeys,
    int pageTokenKeyId,
    long pageTokenTtlSeconds,
    float[] kindShare,
    float mmrLambda,
    String blendConfig,
    long blendConfigPollMs,
    String experiment,
    String experimentArms,
    long hedgeDelayMs,
    long stageHedgeDelayMs,
    int retryMaxAttempts,
    float breakerFailureRate,
    int breakerWindow,
    int breakerMinCalls,
    long breakerOpenMs,
    int breakerHalfOpenCalls,
    int bulkheadMaxCalls,
    double qualityLatencyShare,
    double qualityMinFactor,
    long qualityWindowMs,
    long breakerSelfLagMs,
    long minStageBudgetMs,
    long reconnectCheckMs,
    long embeddingCacheMb,
    int prewarmItems,
    float recentWeight,
    long userStateBudgetMs,
    long userStateTtlMs,
    long userStateCacheSize,
    String tlsCa,
    String tlsClientCert,
    String tlsClientKey,
    String tlsAuthority) {
  /** Every value as given, arrays copied; then {@link #validate()}. */
  public MixerConfig(
      String recallTargets,
      String prerankTarget,
      String rankTarget,
      double[] budgetShares,
      long reserveMs,
      int defaultPageSize,
      int maxPageSize,
      int[] recallPerKind,
      double overFetch,
      int[] prerankTopK,
      int rankMax,
      String pageTokenKeys,
      int pageTokenKeyId,
      long pageTokenTtlSeconds,
      float[] kindShare,
      float mmrLambda,
      String blendConfig,
      long blendConfigPollMs,
      String experiment,
      String experimentArms,
      long hedgeDelayMs,
      long stageHedgeDelayMs,
      int retryMaxAttempts,
      float breakerFailureRate,
      int breakerWindow,
      int breakerMinCalls,
      long breakerOpenMs,
      int breakerHalfOpenCalls,
      int bulkheadMaxCalls,
      double qualityLatencyShare,
      double qualityMinFactor,
      long qualityWindowMs,
      long breakerSelfLagMs,
      long minStageBudgetMs,
      long reconnectCheckMs,
      long embeddingCacheMb,
      int prewarmItems,
      float recentWeight,
      long userStateBudgetMs,
      long userStateTtlMs,
      long userStateCacheSize,
      String tlsCa,
      String tlsClientCert,
      String tlsClientKey,
      String tlsAuthority) {
    this.recallTargets = recallTargets;
    this.prerankTarget = prerankTarget;
    this.rankTarget = rankTarget;
    this.budgetShares = budgetShares == null ? null : budgetShares.clone();
    this.reserveMs = reserveMs;
    this.defaultPageSize = defaultPageSize;
    this.maxPageSize = maxPageSize;
    this.recallPerKind = recallPerKind == null ? null : recallPerKind.clone();
    this.overFetch = overFetch;
    this.prerankTopK = prerankTopK == null ? null : prerankTopK.clone();
    this.rankMax = rankMax;
    this.pageTokenKeys = pageTokenKeys;
    this.pageTokenKeyId = pageTokenKeyId;
    this.pageTokenTtlSeconds = pageTokenTtlSeconds;
    this.kindShare = kindShare == null ? null : kindShare.clone();
    this.mmrLambda = mmrLambda;
    this.blendConfig = blendConfig;
    this.blendConfigPollMs = blendConfigPollMs;
    this.experiment = experiment;
    this.experimentArms = experimentArms;
    this.hedgeDelayMs = hedgeDelayMs;
    this.stageHedgeDelayMs = stageHedgeDelayMs;
    this.retryMaxAttempts = retryMaxAttempts;
    this.breakerFailureRate = breakerFailureRate;
    this.breakerWindow = breakerWindow;
    this.breakerMinCalls = breakerMinCalls;
    this.breakerOpenMs = breakerOpenMs;
    this.breakerHalfOpenCalls = breakerHalfOpenCalls;
    this.bulkheadMaxCalls = bulkheadMaxCalls;
    this.qualityLatencyShare = qualityLatencyShare;
    this.qualityMinFactor = qualityMinFactor;
    this.qualityWindowMs = qualityWindowMs;
    this.breakerSelfLagMs = breakerSelfLagMs;
    this.minStageBudgetMs = minStageBudgetMs;
    this.reconnectCheckMs = reconnectCheckMs;
    this.embeddingCacheMb = embeddingCacheMb;
    this.prewarmItems = prewarmItems;
    this.recentWeight = recentWeight;
    this.userStateBudgetMs = userStateBudgetMs;
    this.userStateTtlMs = userStateTtlMs;
    this.userStateCacheSize = userStateCacheSize;
    this.tlsCa = tlsCa;
    this.tlsClientCert = tlsClientCert;
    this.tlsClientKey = tlsClientKey;
    this.tlsAuthority = tlsAuthority;
    validate();
  }

  /** The documented defaults. */
  public static MixerConfig defaults() {
    return parse();
  }

  /** Parses {@code flags} (e.g. {@code "--breaker-window=6"}) over the defaults. */
  public static MixerConfig parse(String... flags) {
    return io.rankingcluster.common.server.ServiceMain.parse(new MixerOptions(), flags).config();
  }

  /** A copy: the record stays immutable. */
  @Override
  public double[] budgetShares() {
    return budgetShares.clone();
  }

  /** A copy: the record stays immutable. */
  @Override
  public int[] recallPerKind() {
    return recallPerKind.clone();
  }

  /** A copy: the record stays immutable. */
  @Override
  public int[] prerankTopK() {
    return prerankTopK.clone();
  }

  /** A copy: the record stays immutable. */
  @Override
  public float[] kindShare() {
    return kindShare.clone();
  }

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

  private void validate() {
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
        qualityLatencyShare > 0 && qualityLatencyShare <= 1,
        "--quality-latency-share must be in (0, 1], was " + qualityLatencyShare);
    Validation.require(
        qualityMinFactor > 0 && qualityMinFactor <= 1,
        "--quality-min-factor must be in (0, 1], was " + qualityMinFactor);
    Validation.require(
        qualityWindowMs >= 10 && qualityWindowMs <= 60_000,
        "--quality-window-ms must be in [10, 60000], was " + qualityWindowMs);
    Validation.require(
        breakerSelfLagMs >= 0, "--breaker-self-lag-ms must be >= 0, was " + breakerSelfLagMs);
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
