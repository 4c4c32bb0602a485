package io.rankingcluster.common.metrics;

import com.sun.net.httpserver.HttpServer;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One service's metrics: a Micrometer registry exported in the Prometheus text format on an HTTP
 * port ({@code /metrics}), the gRPC server interceptor that times every call by method and status,
 * JVM metrics, and helpers for the project's own meters.
 *
 * <p>Naming: every meter of the project is named {@code ranking.*} (Prometheus: {@code ranking_*},
 * base units, {@code _total} on counters); meters of libraries (gRPC, Caffeine, resilience4j) are
 * renamed into the same prefix; JVM and process meters keep their standard {@code jvm_}/{@code
 * process_} names so that stock dashboards work. Labels are snake_case. No user or item id is ever
 * a label: only stages, channels, kinds, statuses, causes and versions, all of bounded cardinality.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Telemetry.class.getName());

  /** Latency histograms cover 100 us to 10 s: Micrometer picks its bucket bounds in that range. */
  private static final Duration MIN_LATENCY = Duration.ofNanos(100_000);

  private static final Duration MAX_LATENCY = Duration.ofSeconds(10);

  private final String service;
  private final PrometheusMeterRegistry registry;
  private final MetricCollectingServerInterceptor grpc;
  private final ServerInterceptor standard;
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
  private final Map<String, MultiGauge> infos = new ConcurrentHashMap<>();
  private HttpServer http;

  private Telemetry(String service) {
    this.service = service;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                String n = id.getName();
                boolean keep =
                    n.startsWith("ranking.")
                        || StandardGrpcMetrics.NAMES.contains(n)
                        || n.startsWith("jvm.")
                        || n.startsWith("process.")
                        || n.startsWith("system.");
                return keep ? id : id.withName("ranking." + n);
              }
            })
        // gRPC's "service" tag (ranking.v1.MixerService) would collide with the process's service
        // label.
        .meterFilter(MeterFilter.renameTag("ranking.grpc", "service", "grpc_service"))
        .meterFilter(MeterFilter.renameTag("ranking.grpc", "statusCode", "status_code"))
        .meterFilter(MeterFilter.renameTag("ranking.grpc", "methodType", "method_type"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER && id.getName().startsWith("ranking.")) {
                  return DistributionStatisticConfig.builder()
                      .percentilesHistogram(true)
                      .minimumExpectedValue((double) MIN_LATENCY.toNanos())
                      .maximumExpectedValue((double) MAX_LATENCY.toNanos())
                      .build()
                      .merge(config);
                }
                return config;
              }
            })
        .commonTags("service", service);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.grpc = new MetricCollectingServerInterceptor(registry);
    this.standard = StandardGrpcMetrics.server(registry);
  }

  /**
   * A registry for {@code service} (the "service" label of every meter); nothing is served until
   * {@link #serveHttp}.
   */
  public static Telemetry create(String service) {
    return new Telemetry(service);
  }

  public String service() {
    return service;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Times every call by service, method and status (ranking_grpc_server_processing_duration_seconds
   * and counters).
   */
  public ServerInterceptor serverInterceptor() {
    return grpc;
  }

  /**
   * The same calls under go-grpc-prometheus's names (grpc_server_handled_total, ...), for stock
   * dashboards.
   */
  public ServerInterceptor standardServerInterceptor() {
    return standard;
  }

  /**
   * Pre-registers a service's methods so that their series exist (at zero) before the first call.
   */
  public void preregister(io.grpc.ServerServiceDefinition service) {
    grpc.preregisterService(service);
  }

  /** The metrics in the Prometheus text format, after refreshing the info metrics. */
  public String scrape() {
    beforeScrape.forEach(Runnable::run);
    return registry.scrape();
  }

  /**
   * Runs {@code refresh} before each scrape (for meters computed from state, such as versions in
   * use).
   */
  public void beforeScrape(Runnable refresh) {
    beforeScrape.add(refresh);
  }

  /**
   * An info metric: {@code name} with the labels {@code labels.get()} returns, value 1, one series
   * per label set, recomputed at each scrape (so a swapped snapshot or model version replaces the
   * old series).
   */
  public void info(String name, String description, Supplier<List<Tags>> labels) {
    MultiGauge gauge =
        infos.computeIfAbsent(
            name, n -> MultiGauge.builder(n).description(description).register(registry));
    beforeScrape(
        () ->
            gauge.register(labels.get().stream().map(t -> MultiGauge.Row.of(t, 1)).toList(), true));
  }

  public Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  public Timer timer(String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags).register(registry);
  }

  /** A distribution of counts (candidates per call), with a histogram over 1..100,000. */
  public DistributionSummary counts(String name, String description, String... tags) {
    return DistributionSummary.builder(name)
        .description(description)
        .tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(1d)
        .maximumExpectedValue(100_000d)
        .register(registry);
  }

  /**
   * Serves {@code GET /metrics} on {@code host:port} (port 0: any free port). Returns this; {@link
   * #httpPort()} names the port.
   */
  public Telemetry serveHttp(String host, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange
                .getResponseHeaders()
                .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    // One thread: scrapes come every few seconds from one or two Prometheus servers.
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, service + "-metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    this.http = server;
    LOG.info(
        () ->
            service
                + " metrics at http://"
                + host
                + ":"
                + server.getAddress().getPort()
                + "/metrics");
    return this;
  }

  /** The HTTP port, or -1 when not serving. */
  public int httpPort() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    registry.close();
  }
}
