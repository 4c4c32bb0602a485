package io.rankingcluster.common.server;

import io.rankingcluster.common.server.Validation.ConfigException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * Entry-point plumbing shared by the four service mains: options from flags and environment
 * variables, a clear non-zero exit on bad configuration, and a JVM shutdown hook (SIGTERM, Ctrl-C)
 * that drains the server before the process exits.
 */
public final class ServiceMain {
  private static final Logger LOG = Logger.getLogger(ServiceMain.class.getName());

  private ServiceMain() {}

  /** Exit code for configuration errors, as picocli uses for bad flags. */
  public static final int EXIT_CONFIG = 2;

  /**
   * Parses {@code args} into {@code command} (a picocli command whose call() starts the service)
   * and runs it. {@code envPrefix} names the environment variables ({@code RECALL} reads {@code
   * RECALL_PORT}, ...).
   */
  public static int execute(String envPrefix, Object command, String[] args) {
    return execute(
        envPrefix, command, args, System.getenv(), new java.io.PrintWriter(System.err, true));
  }

  /**
   * As {@link #execute(String, Object, String[])} with an explicit environment and error stream
   * (tests).
   */
  public static int execute(
      String envPrefix,
      Object command,
      String[] args,
      java.util.Map<String, String> env,
      java.io.PrintWriter err) {
    CommandLine cl =
        new CommandLine(command).setDefaultValueProvider(new EnvDefaults(envPrefix, env));
    cl.setErr(err);
    cl.getCommandSpec()
        .usageMessage()
        .footer(
            "",
            "Every option can also be set by an environment variable: "
                + envPrefix
                + "_ plus the option name in",
            "upper snake case (--max-inbound-bytes -> "
                + EnvDefaults.variableFor(envPrefix, "--max-inbound-bytes")
                + "). A flag wins over the variable.");
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof ConfigException) {
            cmd.getErr()
                .println(cmd.getCommandName() + ": invalid configuration: " + ex.getMessage());
            return EXIT_CONFIG;
          }
          throw ex;
        });
    return cl.execute(args);
  }

  /**
   * The one start of every service: logging; the port check; the first snapshot version loaded and
   * the serving state built (a bad snapshot stops the start, naming the root); metrics; the service
   * assembled with the admin API; the warm-up on the private warm-up port; then the service port
   * opens and health says SERVING; the metrics and health ports; the snapshot watcher starts
   * polling; and the process serves until SIGTERM, when it drains (health NOT_SERVING, no new
   * calls, in-flight calls finish, then the rest is cancelled) and closes what the service named.
   * Returns the exit code (0).
   */
  public static <D> int run(ServiceSpec<D> spec) throws Exception {
    ServerConfig server = spec.server();
    configureLogging(spec.name(), server);
    io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder builder =
        serverBuilder(server, server.port());
    io.rankingcluster.common.snapshot.SnapshotWatcher<D> watcher =
        spec.data().watcher(spec.name(), spec.state());
    io.rankingcluster.common.metrics.Telemetry telemetry =
        io.rankingcluster.common.metrics.Telemetry.create(spec.name());
    watcher.instrument(telemetry);
    FaultInjector faults = server.faultInjector();
    ServiceSpec.Parts parts =
        spec.assembly().assemble(new ServiceSpec.Loaded<>(watcher, telemetry, faults));
    io.rankingcluster.common.admin.AdminServiceImpl admin =
        new io.rankingcluster.common.admin.AdminServiceImpl(watcher, faults, parts.reload());
    ManagedServer managed =
        new ManagedServer(
                spec.name(),
                builder,
                server,
                java.util.List.of(parts.service(), admin),
                telemetry,
                faults)
            .closeOnStop(watcher);
    for (AutoCloseable c : parts.closeables()) {
      managed.closeOnStop(c);
    }
    managed.start(() -> parts.warmUp().run(managed, server.warmupRequests()));
    serveMetrics(managed, server);
    serveHealthPort(managed, server);
    watcher.start();
    serveUntilShutdown(managed);
    return 0;
  }

  /**
   * An options object (a picocli mixin) holding its documented defaults, as if no flag were given.
   */
  public static <T> T defaults(T options) {
    return CommandLine.populateCommand(options);
  }

  /**
   * An options object holding {@code flags} over its defaults (how tests and tools build a
   * configuration: {@code MixerConfig.parse("--breaker-window=6")}); a flag that does not parse is
   * a ConfigException naming it.
   */
  public static <T> T parse(T options, String... flags) {
    try {
      return CommandLine.populateCommand(options, flags);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * Sets the log format of the process: JSON lines naming {@code service} and the current request
   * id (--log-format json, the default), or the JDK's text lines.
   */
  public static void configureLogging(String service, ServerConfig options) {
    if (!"json".equals(options.logFormat())) {
      return;
    }
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    for (java.util.logging.Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    java.util.logging.StreamHandler out =
        new java.util.logging.StreamHandler(
            System.err, new io.rankingcluster.common.observability.JsonLogFormatter(service)) {
          @Override
          public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush(); // one line at a time: a crash must not lose the last lines
          }
        };
    root.addHandler(out);
  }

  /**
   * A Netty server builder on {@code host:port} with the transport security the options configure.
   */
  public static io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder serverBuilder(
      ServerConfig options, int port) {
    // The port opens only after the warm-up (ManagedServer.start): a taken port must stop the start
    // now, not
    // after the warm-up.
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(options.host(), port));
    } catch (java.io.IOException e) {
      throw new Validation.ConfigException(
          "--port "
              + port
              + " on --host "
              + options.host()
              + " cannot be bound: "
              + e.getMessage());
    }
    io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder b =
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new java.net.InetSocketAddress(options.host(), port), options.serverCredentials())
            // The mixer pings idle stage connections every 30 s; the default policy (5 min) would
            // answer those pings
            // with GOAWAY too_many_pings and drop the connection.
            .permitKeepAliveTime(20, java.util.concurrent.TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    if (options.maxConnectionAgeSeconds() > 0) {
      b.maxConnectionAge(options.maxConnectionAgeSeconds(), java.util.concurrent.TimeUnit.SECONDS)
          .maxConnectionAgeGrace(
              options.maxConnectionAgeGraceSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }
    return b;
  }

  /**
   * With --health-port: a plaintext server on that port serving only grpc.health.v1, with the same
   * statuses as the main port (for probes when the main port speaks TLS); stopped with the server.
   */
  public static void serveHealthPort(ManagedServer server, ServerConfig options)
      throws java.io.IOException {
    if (options.healthPort() == 0) {
      return;
    }
    io.grpc.Server health =
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new java.net.InetSocketAddress(options.host(), options.healthPort()))
            .addService(server.health().getHealthService())
            .build()
            .start();
    server.closeOnStop(
        () -> {
          health.shutdown();
          health.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        });
    LOG.info(() -> "plaintext health port " + options.host() + ":" + options.healthPort());
  }

  /**
   * Serves the server's metrics over HTTP on the configured port (gRPC port + 1000 by default; 0 =
   * off).
   */
  public static void serveMetrics(ManagedServer server, ServerConfig options)
      throws java.io.IOException {
    int port = options.effectiveMetricsPort(server.port());
    if (port > 0) {
      server.telemetry().serveHttp(options.host(), port);
    }
  }

  /** Starts nothing; blocks until SIGTERM or Ctrl-C, then stops the server gracefully. */
  public static void serveUntilShutdown(ManagedServer server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutdown requested: draining");
                  server.stop();
                  stopped.countDown();
                },
                "graceful-shutdown"));
    server.awaitTermination();
    stopped.await();
  }
}
