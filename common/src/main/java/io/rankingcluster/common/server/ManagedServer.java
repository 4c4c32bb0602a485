package io.rankingcluster.common.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.util.TransmitStatusRuntimeExceptionInterceptor;
import io.rankingcluster.common.admin.AdminAuth;
import io.rankingcluster.common.admin.AdminServiceImpl;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.observability.AccessLog;
import io.rankingcluster.common.observability.RequestIds;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The one server lifecycle every service uses: the service port closed while data loads and the
 * warm-up runs (on a loopback port of its own), then open and SERVING; server reflection (v1 and
 * v1alpha); a bounded request executor; load shedding and a default deadline; and a graceful stop
 * (health NOT_SERVING first, then no new calls, then in-flight calls drain for the grace period,
 * then the rest are cancelled).
 *
 * <p>The {@link ServerBuilder} comes from outside, so tests run the same lifecycle in-process. The
 * time from process start to SERVING is logged on the SERVING line and kept ({@link
 * #startupMillis()}).
 */
public final class ManagedServer {
  private static final Logger LOG = Logger.getLogger(ManagedServer.class.getName());

  private final String name;
  private final HealthStatusManager health = new HealthStatusManager();
  private final List<String> serviceNames = new ArrayList<>();
  private final ExecutorService executor;
  private final Server server;
  private final long drainMillis;
  private final ConcurrencyLimitInterceptor shed;
  private final Telemetry telemetry;
  private final FaultInjector faults;
  private final List<AutoCloseable> closeOnStop = new CopyOnWriteArrayList<>();
  private final ServerCallExecutorSupplier admission;
  private final int maxInboundBytes;

  /** The stage services with their interceptors, served on the warm-up port too. */
  private final List<ServerServiceDefinition> warmable = new ArrayList<>();

  /** The loopback port of the warm-up; null outside it. */
  private volatile Server warmServer;

  private volatile long warmUpMillis = -1;

  /** --warmup-max-seconds: how long the warm-up may go on while latency still falls. */
  private final long warmUpMaxMillis;

  private volatile long startupMillis = -1;

  /**
   * @param name service name for logs
   * @param builder transport-specific builder (Netty on a port, or in-process in tests)
   * @param options shared server options (threads, queue, limits, default deadline, drain)
   * @param services the stage's services; health and reflection are added here
   */
  public ManagedServer(
      String name, ServerBuilder<?> builder, ServerConfig options, List<BindableService> services) {
    this(name, builder, options, services, Telemetry.create(name));
  }

  /**
   * As above, recording every call in {@code telemetry} (RPC durations and counts by method and
   * status).
   */
  public ManagedServer(
      String name,
      ServerBuilder<?> builder,
      ServerConfig options,
      List<BindableService> services,
      Telemetry telemetry) {
    this(name, builder, options, services, telemetry, options.faultInjector());
  }

  /**
   * As above, with the fault injector given (shared with the service's AdminService). An {@link
   * AdminServiceImpl} among {@code services} is put behind the admin token check, and skips load
   * shedding and fault injection, so that an overloaded or faulted process can still be operated.
   */
  public ManagedServer(
      String name,
      ServerBuilder<?> builder,
      ServerConfig options,
      List<BindableService> services,
      Telemetry telemetry,
      FaultInjector faults) {
    this.name = name;
    this.faults = faults;
    this.telemetry = telemetry;
    this.drainMillis = options.drainSeconds() * 1000L;
    this.warmUpMaxMillis = options.warmupMaxSeconds() * 1000L;
    int threads = options.effectiveThreads();
    AtomicInteger counter = new AtomicInteger();
    // Bounded pool and queue. The calls admitted under the concurrency limit always fit (the
    // admission counts
    // them before they queue; a full queue would fail them on the transport thread); --queue bounds
    // the others
    // (health, reflection, admin).
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.queue() + options.effectiveMaxConcurrentCalls()),
            r -> {
              Thread t = new Thread(r, name + "-grpc-" + counter.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // The adaptive limit never drops below the request threads: at low load a few slow calls (a GC
    // pause) must
    // not refuse the next handful; under overload it floats between the threads and the ceiling.
    this.shed =
        new ConcurrencyLimitInterceptor(
            options.effectiveMaxConcurrentCalls(),
            options.effectiveAdaptiveLatencyShare(),
            threads);
    DefaultDeadlineInterceptor deadline =
        new DefaultDeadlineInterceptor(options.defaultDeadlineMs());
    AccessLog accessLog = new AccessLog(options.accessLogMode());
    // The default executor is direct (the transport thread): it only looks the method up and runs
    // the admission,
    // which sends every call but a refused one or a health check on to the bounded pool.
    // (callExecutor is
    // experimental in grpc-java.)
    Set<String> limited = new java.util.HashSet<>();
    this.admission =
        shed.admission(executor, limited, Set.of(io.grpc.health.v1.HealthGrpc.SERVICE_NAME));
    this.maxInboundBytes = options.maxInboundBytes();
    transport(builder);
    for (BindableService service : services) {
      // Undecodable requests: INVALID_ARGUMENT instead of grpc-java's UNKNOWN.
      ServerServiceDefinition def = SourceInfo.attach(DecodeErrors.wrap(service.bindService()));
      serviceNames.add(def.getServiceDescriptor().getName());
      // Interceptors run last-added first: shed before doing any work, then apply the default
      // deadline, then
      // turn a StatusRuntimeException thrown by a handler into that status (grpc-java would answer
      // UNKNOWN).
      // Metrics outermost, so that shed calls are counted with their RESOURCE_EXHAUSTED.
      telemetry.preregister(def);
      // Outermost first: metrics, the request id (so every later step and log line has it), the
      // access log
      // (sees shed calls too), shedding, the default deadline, fault injection (a delayed call
      // holds its slot
      // and ends at its deadline), status translation, and innermost a programmer error as
      // INTERNAL.
      if (service instanceof AdminServiceImpl) {
        builder.addService(
            ServerInterceptors.intercept(
                def,
                InternalErrors.INSTANCE,
                TransmitStatusRuntimeExceptionInterceptor.instance(),
                new AdminAuth(options.adminToken()),
                accessLog,
                RequestIds.server(),
                telemetry.serverInterceptor(),
                telemetry.standardServerInterceptor()));
      } else {
        limited.add(def.getServiceDescriptor().getName());
        ServerServiceDefinition intercepted =
            ServerInterceptors.intercept(
                def,
                InternalErrors.INSTANCE,
                TransmitStatusRuntimeExceptionInterceptor.instance(),
                faults,
                RetryPushback.INSTANCE,
                deadline,
                shed,
                accessLog,
                RequestIds.server(),
                telemetry.serverInterceptor(),
                telemetry.standardServerInterceptor());
        builder.addService(intercepted);
        warmable.add(intercepted);
      }
    }
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    builder.addService(ProtoReflectionService.newInstance());
    this.server = builder.build();
  }

  /**
   * The transport settings both ports share: the direct default executor, the admission, the
   * message size.
   */
  private ServerBuilder<?> transport(ServerBuilder<?> b) {
    return b.executor(com.google.common.util.concurrent.MoreExecutors.directExecutor())
        .callExecutor(admission)
        .maxInboundMessageSize(maxInboundBytes);
  }

  /**
   * For the warm-up given to {@link #start}: at least {@code n} calls of {@code method} with {@code
   * request.apply(i)} (more while their latency falls, {@code --warmup-max-seconds}) sent to the
   * warm-up port, through netty, HTTP/2, protobuf and every interceptor as real calls go (they
   * count in the call metrics). Returns the calls that answered.
   */
  public <Req, Resp> int warmUpCalls(
      io.grpc.MethodDescriptor<Req, Resp> method,
      int n,
      java.util.function.IntFunction<Req> request) {
    Server w = warmServer;
    if (w == null) {
      throw new IllegalStateException("warmUpCalls runs inside the warm-up given to start");
    }
    int ok =
        WireWarmUp.run(
            WireWarmUp.firstAddress(w.getListenSockets()), method, n, request, warmUpMaxMillis);
    LOG.fine(
        () ->
            name
                + ": "
                + ok
                + " of "
                + n
                + " warm-up calls of "
                + method.getBareMethodName()
                + " answered");
    return ok;
  }

  /**
   * Calls in flight under the concurrency limit: running or admitted and waiting for a request
   * thread.
   */
  public int inFlight() {
    return shed.inFlight();
  }

  /**
   * Runs the warm-up, then opens the service port, SERVING. While it warms, the services listen on
   * a plaintext port of their own on loopback only (for {@link #warmUpCalls}), and the service port
   * is closed: no balancer, whatever its health checking, sends a warming replica calls (a rank
   * replica that listened while it warmed got its share of calls at once, too slow: they were
   * hedged away and cancelled, and outlier detection ejected it).
   */
  public ManagedServer start(Runnable warmUp) throws IOException {
    setStatus(ServingStatus.NOT_SERVING);
    ServerBuilder<?> wb =
        transport(
            io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)));
    warmable.forEach(wb::addService);
    warmServer = wb.build().start();
    LOG.info(() -> name + " warming up (its service port opens when done)");
    long t0 = System.nanoTime();
    try {
      warmUp.run();
    } finally {
      warmServer.shutdownNow();
      warmServer = null;
    }
    long settled = WireWarmUp.settleCompiler(3_000);
    LOG.fine(() -> name + ": JIT compiler settled after " + settled + " ms");
    server.start();
    setStatus(ServingStatus.SERVING);
    warmUpMillis = (System.nanoTime() - t0) / 1_000_000;
    startupMillis = System.currentTimeMillis() - processStartMillis();
    LOG.info(
        () ->
            String.format(
                "%s SERVING %d ms after process start (warm-up %d ms; JDK %d, dot products: %s)",
                name,
                startupMillis,
                warmUpMillis,
                Runtime.version().feature(),
                io.rankingcluster.core.embed.VectorMath.kernels()));
    return this;
  }

  /**
   * When this process started, in ms since the epoch: the operating system's record (it includes
   * JVM boot), else the JVM's own start time.
   */
  static long processStartMillis() {
    return ProcessHandle.current()
        .info()
        .startInstant()
        .map(Instant::toEpochMilli)
        .orElseGet(() -> ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  /**
   * Milliseconds from process start to SERVING (JVM boot, configuration, data load, warm-up), or -1
   * before SERVING. Servers started later in a long-lived process (tests) count from that process's
   * start.
   */
  public long startupMillis() {
    return startupMillis;
  }

  /** Milliseconds the warm-up took, or -1 before SERVING. */
  public long warmUpMillis() {
    return warmUpMillis;
  }

  /**
   * Closes {@code resource} when the server stops, after in-flight calls have drained (so what they
   * use stays open until then); resources close in reverse order of registration. Returns this
   * server.
   */
  public ManagedServer closeOnStop(AutoCloseable resource) {
    closeOnStop.add(resource);
    return this;
  }

  /** The process's fault rules (none unless configured). */
  public FaultInjector faults() {
    return faults;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public int port() {
    return server.getPort();
  }

  public HealthStatusManager health() {
    return health;
  }

  private void setStatus(ServingStatus status) {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    for (String s : serviceNames) {
      health.setStatus(s, status);
    }
  }

  /**
   * Graceful stop: health NOT_SERVING (so balancers and probes move traffic away), stop accepting
   * calls, let in-flight calls finish for the drain period, then cancel what is left.
   */
  public void stop() {
    health.enterTerminalState();
    server.shutdown();
    try {
      // Wait for the stage's own calls to finish, not for long-lived streams such as health
      // watches, which
      // would otherwise hold every stop to the full drain period.
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
      while (shed.inFlight() > 0 && System.nanoTime() < until) {
        if (server.awaitTermination(20, TimeUnit.MILLISECONDS)) {
          break;
        }
      }
      if (shed.inFlight() > 0) {
        LOG.warning(
            () ->
                name
                    + ": "
                    + shed.inFlight()
                    + " calls still running after the drain period; cancelling them");
      }
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
      for (int i = closeOnStop.size() - 1; i >= 0; i--) {
        AutoCloseable resource = closeOnStop.get(i);
        try {
          resource.close();
        } catch (Exception e) {
          LOG.warning(() -> name + ": closing " + resource + " failed: " + e);
        }
      }
    }
    telemetry.close();
    LOG.info(() -> name + " stopped");
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
