package io.rankingcluster.common.server;

import picocli.CommandLine.Option;

/**
 * The options every service shares (a picocli mixin). Service commands add their own port default
 * and service-specific options. Validated by {@link #validate()} before anything starts.
 */
public final class ServerOptions {
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 in containers).")
  public String host;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description =
          "Request threads; 0 means 2 x available processors (default: ${DEFAULT-VALUE}).")
  public int threads;

  @Option(
      names = "--queue",
      defaultValue = "1024",
      description =
          "Calls outside the concurrency limit (health, reflection, admin) that may wait for a"
              + " request thread, on top of the calls admitted under --max-concurrent-calls"
              + " (default: ${DEFAULT-VALUE}).")
  public int queue;

  @Option(
      names = "--max-concurrent-calls",
      defaultValue = "0",
      description =
          "Calls in flight beyond which new ones get RESOURCE_EXHAUSTED at once; 0 = the service's"
              + " own default: twice the request threads for the mixer (its threads wait on the"
              + " stages, so more calls would only queue past their deadline), 256 for the stages,"
              + " whose callers are bounded mixers (default: ${DEFAULT-VALUE}).")
  public int maxConcurrentCalls;

  @Option(
      names = "--adaptive-latency-share",
      defaultValue = "-1",
      description =
          "Adapt the concurrency limit (below --max-concurrent-calls) to the calls' latency: a call"
              + " slower than this share of its deadline lowers it; 0 = a fixed limit; -1 = the"
              + " service's default: 0.5 for the mixer, fixed for the stages (default:"
              + " ${DEFAULT-VALUE}).")
  public double adaptiveLatencyShare;

  /**
   * What {@code --adaptive-latency-share -1} means for this service; its main sets it before the
   * server starts.
   */
  public double serviceDefaultAdaptiveLatencyShare = 0;

  /** The latency share in force (0: a fixed limit). */
  public double effectiveAdaptiveLatencyShare() {
    return adaptiveLatencyShare >= 0 ? adaptiveLatencyShare : serviceDefaultAdaptiveLatencyShare;
  }

  /**
   * What {@code --max-concurrent-calls 0} means for this service; its main sets it before the
   * server starts.
   */
  public int serviceDefaultMaxConcurrentCalls = 256;

  /** The concurrency limit in force. */
  public int effectiveMaxConcurrentCalls() {
    return maxConcurrentCalls > 0 ? maxConcurrentCalls : serviceDefaultMaxConcurrentCalls;
  }

  @Option(
      names = "--max-inbound-bytes",
      defaultValue = "8388608",
      description = "Largest request message accepted, in bytes (default: ${DEFAULT-VALUE}).")
  public int maxInboundBytes;

  @Option(
      names = "--default-deadline-ms",
      defaultValue = "100",
      description =
          "Deadline applied to calls that arrive without one, in ms (default: ${DEFAULT-VALUE}).")
  public long defaultDeadlineMs;

  @Option(
      names = "--drain-seconds",
      defaultValue = "10",
      description =
          "On SIGTERM: how long in-flight calls may finish before they are cancelled (default:"
              + " ${DEFAULT-VALUE}).")
  public int drainSeconds;

  @Option(
      names = "--warmup-requests",
      defaultValue = "200",
      description =
          "Warm-up calls sent through the whole gRPC path on a loopback port of their own before"
              + " the service port opens, SERVING (default: ${DEFAULT-VALUE}).")
  public int warmupRequests;

  @Option(
      names = "--metrics-port",
      defaultValue = "-1",
      description =
          "HTTP port of GET /metrics (Prometheus text format); -1 = the gRPC port + 1000, 0 = off"
              + " (default: ${DEFAULT-VALUE}).")
  public int metricsPort;

  @Option(
      names = "--access-log",
      defaultValue = "errors",
      description =
          "One log line per call: all, errors (calls not ending OK) or off (default:"
              + " ${DEFAULT-VALUE}).")
  public String accessLog;

  @Option(
      names = "--log-format",
      defaultValue = "json",
      description =
          "Log lines as json (one object per line, with the request id) or text (default:"
              + " ${DEFAULT-VALUE}).")
  public String logFormat;

  public io.rankingcluster.common.observability.AccessLog.Mode accessLogMode() {
    return io.rankingcluster.common.observability.AccessLog.Mode.valueOf(
        accessLog.toUpperCase(java.util.Locale.ROOT));
  }

  @Option(
      names = "--tls-cert",
      defaultValue = "",
      description =
          "TLS: the server's certificate chain (PEM). With --tls-key, the gRPC port speaks TLS only"
              + " (default: plaintext).")
  public String tlsCert;

  @Option(
      names = "--tls-key",
      defaultValue = "",
      description = "TLS: the server's private key (PEM, PKCS#8).")
  public String tlsKey;

  @Option(
      names = "--tls-client-ca",
      defaultValue = "",
      description =
          "mTLS: require client certificates signed by these CAs (PEM); needs --tls-cert (default:"
              + " none).")
  public String tlsClientCa;

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

  @Option(
      names = "--admin-token-file",
      defaultValue = "",
      description =
          "A file holding the bearer token of ranking.v1.AdminService (snapshot reload and pin,"
              + " fault rules, config reload) and of fault headers. Without it the admin API"
              + " refuses every call (default: none).")
  public String adminTokenFile;

  @Option(
      names = "--faults",
      defaultValue = "",
      description =
          "Fault injection, off by default: target=delay:PERCENT:MS,abort:PERCENT:CODE separated by"
              + " ';', e.g. 'ranking.v1.RankService/Rank=delay:20:200;*=abort:1:UNAVAILABLE'. Also"
              + " settable at run time through AdminService/SetFault, and per request with"
              + " x-envoy-fault-* headers plus the admin token.")
  public String faults;

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

  @Option(
      names = "--max-connection-age-seconds",
      defaultValue = "300",
      description =
          "Clients are asked to reconnect after this (GOAWAY), so that pods added by scaling get"
              + " traffic from clients that resolve dns:/// only on reconnect; 0 = never (default:"
              + " ${DEFAULT-VALUE}).")
  public long maxConnectionAgeSeconds;

  @Option(
      names = "--max-connection-age-grace-seconds",
      defaultValue = "30",
      description =
          "Calls in flight when a connection reaches its age may finish for this long (default:"
              + " ${DEFAULT-VALUE}).")
  public long maxConnectionAgeGraceSeconds;

  @Option(
      names = "--health-port",
      defaultValue = "0",
      description =
          "A second, plaintext port serving only grpc.health.v1 (for Kubernetes probes when the"
              + " gRPC port speaks TLS); 0 = none (default: ${DEFAULT-VALUE}).")
  public int healthPort;

  /** The metrics port for a service on {@code grpcPort}, or 0 when metrics are off. */
  public int effectiveMetricsPort(int grpcPort) {
    return metricsPort == -1 ? grpcPort + 1000 : metricsPort;
  }

  /** Checks ranges; the message names the option and the problem. */
  public void validate() {
    Validation.require(!host.isBlank(), "--host must not be empty");
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
