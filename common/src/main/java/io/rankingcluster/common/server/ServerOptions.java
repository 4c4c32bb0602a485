package io.rankingcluster.common.server;

import picocli.CommandLine.Option;

/**
 * The options every service shares (a picocli mixin). Service commands add their own port default
 * and service-specific options. Validated by {@link #validate()} before anything starts.
 */
public final class ServerOptions {
  @Option(
      names = "--port",
      defaultValue = "0",
      description =
          "gRPC port; 0 = the service's standard port: mixer 9090, recall 9091, prerank 9092, rank"
              + " 9093 (default: ${DEFAULT-VALUE}).")
  public int port;

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
              + " own default: four times the request threads for the mixer (its threads wait on"
              + " the stages; a short queue absorbs bursts, a long one would only wait past the"
              + " deadline), 256 for the stages,"
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
              + " the service port opens, SERVING; at least these, then more while their latency"
              + " still falls (see --warmup-max-seconds); 0 = no warm-up (default:"
              + " ${DEFAULT-VALUE}).")
  public int warmupRequests;

  @Option(
      names = "--warmup-max-seconds",
      defaultValue = "10",
      description =
          "The warm-up goes on past --warmup-requests, in rounds, while the median latency of a"
              + " round still falls by 5% or more, for at most this long; 0 = exactly"
              + " --warmup-requests calls (default: ${DEFAULT-VALUE}).")
  public int warmupMaxSeconds;

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

  /** The parsed values as an immutable, validated {@link ServerConfig}. */
  public ServerConfig config() {
    return new ServerConfig(
        host,
        port,
        threads,
        queue,
        maxConcurrentCalls,
        adaptiveLatencyShare,
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
}
