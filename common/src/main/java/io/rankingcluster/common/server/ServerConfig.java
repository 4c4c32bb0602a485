package io.rankingcluster.common.server;

/**
 * The settings every service shares: address, threads and queue, load shedding, message size,
 * deadline default, drain, warm-up, metrics, logs, TLS, admin token, fault rules, connection age,
 * health port. Immutable and validated when built: from the flags ({@link ServerOptions#config()})
 * or, in tests, from flag strings ({@link #parse}); a bad value is a {@link
 * io.rankingcluster.common.server.Validation.ConfigException} naming the flag.
 */
public record ServerConfig(
    String host,
    int port,
    int threads,
    int queue,
    int maxConcurrentCalls,
    double adaptiveLatencyShare,
    int maxInboundBytes,
    long defaultDeadlineMs,
    int drainSeconds,
    int warmupRequests,
    int warmupMaxSeconds,
    int metricsPort,
    String accessLog,
    String logFormat,
    String tlsCert,
    String tlsKey,
    String tlsClientCa,
    String adminTokenFile,
    String faults,
    long maxConnectionAgeSeconds,
    long maxConnectionAgeGraceSeconds,
    int healthPort) {
  /** Every value as given, arrays copied; then {@link #validate()}. */
  public ServerConfig(
      String host,
      int port,
      int threads,
      int queue,
      int maxConcurrentCalls,
      double adaptiveLatencyShare,
      int maxInboundBytes,
      long defaultDeadlineMs,
      int drainSeconds,
      int warmupRequests,
      int warmupMaxSeconds,
      int metricsPort,
      String accessLog,
      String logFormat,
      String tlsCert,
      String tlsKey,
      String tlsClientCa,
      String adminTokenFile,
      String faults,
      long maxConnectionAgeSeconds,
      long maxConnectionAgeGraceSeconds,
      int healthPort) {
    this.host = host;
    this.port = port;
    this.threads = threads;
    this.queue = queue;
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.adaptiveLatencyShare = adaptiveLatencyShare;
    this.maxInboundBytes = maxInboundBytes;
    this.defaultDeadlineMs = defaultDeadlineMs;
    this.drainSeconds = drainSeconds;
    this.warmupRequests = warmupRequests;
    this.warmupMaxSeconds = warmupMaxSeconds;
    this.metricsPort = metricsPort;
    this.accessLog = accessLog;
    this.logFormat = logFormat;
    this.tlsCert = tlsCert;
    this.tlsKey = tlsKey;
    this.tlsClientCa = tlsClientCa;
    this.adminTokenFile = adminTokenFile;
    this.faults = faults;
    this.maxConnectionAgeSeconds = maxConnectionAgeSeconds;
    this.maxConnectionAgeGraceSeconds = maxConnectionAgeGraceSeconds;
    this.healthPort = healthPort;
    validate();
  }

  /** The documented defaults. */
  public static ServerConfig defaults() {
    return parse();
  }

  /** Parses {@code flags} (e.g. {@code "--breaker-window=6"}) over the defaults. */
  public static ServerConfig parse(String... flags) {
    return io.rankingcluster.common.server.ServiceMain.parse(new ServerOptions(), flags).config();
  }

  /**
   * This configuration with the service's own meaning of the "service default" values filled in:
   * {@code --port 0} is {@code port}, {@code --max-concurrent-calls 0} is {@code
   * maxConcurrentCalls}, {@code --adaptive-latency-share -1} is {@code adaptiveLatencyShare}.
   * Values given explicitly stay.
   */
  public ServerConfig withServiceDefaults(
      int port, int maxConcurrentCalls, double adaptiveLatencyShare) {
    return new ServerConfig(
        host,
        this.port > 0 ? this.port : port,
        threads,
        queue,
        this.maxConcurrentCalls > 0 ? this.maxConcurrentCalls : maxConcurrentCalls,
        this.adaptiveLatencyShare >= 0 ? this.adaptiveLatencyShare : adaptiveLatencyShare,
        maxInboundBytes,
        defaultDeadlineMs,
        drainSeconds,
        warmupRequests,
        warmupMaxSeconds,
        metricsPort,
        accessLog,
        logFormat,
        tlsCert,
        tlsKey,
        tlsClientCa,
        adminTokenFile,
        faults,
        maxConnectionAgeSeconds,
        maxConnectionAgeGraceSeconds,
        healthPort);
  }

  /** The latency share in force (0: a fixed limit; the stages' default). */
  public double effectiveAdaptiveLatencyShare() {
    return adaptiveLatencyShare >= 0 ? adaptiveLatencyShare : 0;
  }

  /** The concurrency limit in force (256 unless the service set its own default). */
  public int effectiveMaxConcurrentCalls() {
    return maxConcurrentCalls > 0 ? maxConcurrentCalls : 256;
  }

  public io.rankingcluster.common.observability.AccessLog.Mode accessLogMode() {
    return io.rankingcluster.common.observability.AccessLog.Mode.valueOf(
        accessLog.toUpperCase(java.util.Locale.ROOT));
  }

  /** Plaintext, TLS, or mTLS, as configured. */
  public io.grpc.ServerCredentials serverCredentials() {
    if (tlsCert.isEmpty()) {
      return io.grpc.InsecureServerCredentials.create();
    }
    try {
      io.grpc.TlsServerCredentials.Builder b =
          io.grpc.TlsServerCredentials.newBuilder()
              .keyManager(new java.io.File(tlsCert), new java.io.File(tlsKey));
      if (!tlsClientCa.isEmpty()) {
        b.trustManager(new java.io.File(tlsClientCa))
            .clientAuth(io.grpc.TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new Validation.ConfigException(
          "--tls-cert/--tls-key/--tls-client-ca: cannot load (" + e.getMessage() + ")");
    }
  }

  /** The admin token, or null when no --admin-token-file is given. */
  public String adminToken() {
    if (adminTokenFile.isEmpty()) {
      return null;
    }
    try {
      String t = java.nio.file.Files.readString(java.nio.file.Path.of(adminTokenFile)).trim();
      Validation.require(
          t.length() >= 16, "--admin-token-file: the token must have at least 16 characters");
      return t;
    } catch (java.io.IOException e) {
      throw new Validation.ConfigException(
          "--admin-token-file " + adminTokenFile + " cannot be read: " + e.getMessage());
    }
  }

  /** The fault injector from --faults, honouring fault headers only with the admin token. */
  public FaultInjector faultInjector() {
    try {
      io.rankingcluster.common.admin.AdminAuth auth =
          new io.rankingcluster.common.admin.AdminAuth(adminToken());
      return FaultInjector.fromSpec(faults).honourHeaders(auth::authorized);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--faults: " + e.getMessage());
    }
  }

  /** The metrics port for a service on {@code grpcPort}, or 0 when metrics are off. */
  public int effectiveMetricsPort(int grpcPort) {
    return metricsPort == -1 ? grpcPort + 1000 : metricsPort;
  }

  /** Checks ranges; the message names the option and the problem. */
  private void validate() {
    Validation.require(!host.isBlank(), "--host must not be empty");
    Validation.require(
        port >= 0 && port < 65536,
        "--port must be in [1, 65535] (0 = the service's standard port), was " + port);
    Validation.require(
        threads >= 0 && threads <= 1024, "--threads must be in [0, 1024], was " + threads);
    Validation.require(
        queue >= 1 && queue <= 1_000_000, "--queue must be in [1, 1000000], was " + queue);
    Validation.require(
        adaptiveLatencyShare == -1 || (adaptiveLatencyShare >= 0 && adaptiveLatencyShare <= 1),
        "--adaptive-latency-share must be -1 (the service's default), 0 (off) or in (0, 1], was "
            + adaptiveLatencyShare);
    Validation.require(
        maxConcurrentCalls >= 0,
        "--max-concurrent-calls must be >= 0 (0 = the service's default), was "
            + maxConcurrentCalls);
    Validation.require(
        maxInboundBytes >= 1024 && maxInboundBytes <= 256 * 1024 * 1024,
        "--max-inbound-bytes must be in [1024, 268435456], was " + maxInboundBytes);
    Validation.require(
        defaultDeadlineMs >= 1 && defaultDeadlineMs <= 600_000,
        "--default-deadline-ms must be in [1, 600000], was " + defaultDeadlineMs);
    Validation.require(
        drainSeconds >= 0 && drainSeconds <= 3600,
        "--drain-seconds must be in [0, 3600], was " + drainSeconds);
    Validation.require(
        warmupRequests >= 0, "--warmup-requests must be >= 0, was " + warmupRequests);
    Validation.require(
        warmupMaxSeconds >= 0 && warmupMaxSeconds <= 600,
        "--warmup-max-seconds must be in [0, 600], was " + warmupMaxSeconds);
    Validation.require(
        java.util.Set.of("all", "errors", "off").contains(accessLog),
        "--access-log must be all, errors or off, was '" + accessLog + "'");
    Validation.require(
        logFormat.equals("json") || logFormat.equals("text"),
        "--log-format must be json or text, was '" + logFormat + "'");
    Validation.require(
        tlsCert.isEmpty() == tlsKey.isEmpty(), "--tls-cert and --tls-key go together");
    Validation.require(
        tlsClientCa.isEmpty() || !tlsCert.isEmpty(),
        "--tls-client-ca (mTLS) needs --tls-cert and --tls-key");
    for (String f : new String[] {tlsCert, tlsKey, tlsClientCa}) {
      Validation.require(
          f.isEmpty() || java.nio.file.Files.isReadable(java.nio.file.Path.of(f)),
          "TLS file " + f + " does not exist or cannot be read");
    }
    Validation.require(
        maxConnectionAgeSeconds >= 0,
        "--max-connection-age-seconds must be >= 0, was " + maxConnectionAgeSeconds);
    Validation.require(
        maxConnectionAgeGraceSeconds >= 0,
        "--max-connection-age-grace-seconds must be >= 0, was " + maxConnectionAgeGraceSeconds);
    Validation.require(
        healthPort >= 0 && healthPort < 65536,
        "--health-port must be 0 or a port, was " + healthPort);
    faultInjector(); // parses --faults and reads --admin-token-file: both fail here, at start
    Validation.require(
        metricsPort >= -1 && metricsPort < 65536,
        "--metrics-port must be -1, 0 or a port, was " + metricsPort);
  }

  public int effectiveThreads() {
    return threads > 0 ? threads : 2 * Runtime.getRuntime().availableProcessors();
  }
}
