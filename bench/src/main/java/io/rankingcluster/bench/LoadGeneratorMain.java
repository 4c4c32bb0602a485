package io.rankingcluster.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.StageDebug;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code load}: Recommend traffic like a population of users. Open loop at a target rate (each
 * request has an intended start time on a fixed schedule and its latency is counted from that time,
 * so a stalled server cannot hide its queue: no coordinated omission), or closed loop with N
 * callers. Users follow a Zipf law over the known ids (heavy users come back) plus a share of
 * unknown ids; a user continues their session to the next page (with the page token) up to --pages.
 * Deadlines as a client sets them. Reports p50/p90/p99/p99.9 (HdrHistogram), errors by status, the
 * degraded share and its reasons, CPU per request of each service (its own process counter on
 * /metrics) and of this load generator (its own process), all over the measured time only, the
 * embedding cache's hit rate, per-stage latencies from a debug sample, and latency over time, as
 * JSON and SVG. {@link #run} is also the engine of the sweep and chaos commands.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Load generator for Recommend (open or closed loop).")
public final class LoadGeneratorMain implements Callable<Integer> {
  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:9090",
      description = "Mixer address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Open loop: requests per second; 0 = closed loop (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--ramp-to",
      defaultValue = "0",
      description =
          "Open loop: raise the rate linearly from --rate to this over the measured time (the"
              + " warm-up runs at --rate); 0 = a constant rate (default: ${DEFAULT-VALUE}).")
  double rampTo;

  @Option(
      names = "--concurrency",
      defaultValue = "4",
      description = "Closed loop: callers (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--duration-seconds",
      defaultValue = "30",
      description = "Measured time (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "5",
      description = "Unmeasured time first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--users",
      defaultValue = "50000",
      description = "Known user ids \"1\"..N (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--zipf",
      defaultValue = "1.1",
      description = "Zipf exponent of user activity (default: ${DEFAULT-VALUE}).")
  double zipf;

  @Option(
      names = "--unknown-share",
      defaultValue = "0.1",
      description = "Share of requests from unknown users (default: ${DEFAULT-VALUE}).")
  double unknownShare;

  @Option(
      names = "--pages",
      defaultValue = "3",
      description = "Pages per session at most (default: ${DEFAULT-VALUE}).")
  int pages;

  @Option(
      names = "--deadline-ms",
      defaultValue = "150",
      description = "Client deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMs;

  @Option(
      names = "--debug-share",
      defaultValue = "0.05",
      description =
          "Share of requests sent with debug for stage latencies (default: ${DEFAULT-VALUE}).")
  double debugShare;

  @Option(
      names = "--max-outstanding",
      defaultValue = "2000",
      description =
          "Open loop: calls in flight at most; beyond, a call counts as a client-side drop"
              + " (default: ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(
      names = "--metrics",
      split = ",",
      defaultValue =
          "http://127.0.0.1:10090/metrics,http://127.0.0.1:10091/metrics,http://127.0.0.1:10092/metrics,http://127.0.0.1:10093/metrics",
      description =
          "The services' /metrics, for CPU seconds per request (default: the single local"
              + " cluster).")
  List<String> metrics;

  @Option(
      names = "--out",
      defaultValue = "target/load",
      description = "Folder for the JSON and SVG results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Seed of the user sampler (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadGeneratorMain()).execute(args));
  }

  /** Zipf sampler over ranks 1..n by inverse CDF on a precomputed table: heavy users repeat. */
  static final class Zipf {
    private final double[] cdf;

    Zipf(int n, double s) {
      cdf = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < n; i++) {
        cdf[i] /= sum;
      }
    }

    /** A rank in 1..n. */
    int sample(SplittableRandom rnd) {
      int i = java.util.Arrays.binarySearch(cdf, rnd.nextDouble());
      return (i >= 0 ? i : -i - 1) + 1;
    }
  }

  /**
   * Open-loop schedule: the intended start of request i is start + i / rate, whatever happened
   * before.
   */
  static long intendedStart(long startNanos, long i, double rate) {
    return startNanos + (long) (i * 1e9 / rate);
  }

  /**
   * The same with a ramp: {@code rate} for {@code warmupNanos}, then a rate rising linearly to
   * {@code rampTo} over {@code rampNanos}. Request j of the ramp is due when the ramp's cumulative
   * count r0 t + (r1 - r0) t^2 / (2T) reaches j.
   */
  static long intendedStart(
      long startNanos, long i, double rate, long warmupNanos, double rampTo, long rampNanos) {
    double warmupCount = rate * warmupNanos / 1e9;
    if (rampTo <= 0 || rampTo == rate || i < warmupCount) {
      return intendedStart(startNanos, i, rate);
    }
    double j = i - warmupCount;
    double seconds = rampNanos / 1e9;
    double a = (rampTo - rate) / seconds; // rate's slope, per second
    double t = (-rate + Math.sqrt(Math.max(0, rate * rate + 2 * a * j))) / a;
    return startNanos + warmupNanos + (long) (t * 1e9);
  }

  /**
   * Every measured request's outcome, in the order they ended: when it was due (ms from the start
   * of the measured time), its latency, and what came back. Windows are cut from it afterwards (the
   * chaos command). Primitive arrays; bounded by the rate times the duration.
   */
  static final class Events {
    /**
     * Outcome codes: OK, OK but degraded; an error is its gRPC status code + 2; a client-side drop
     * is 99.
     */
    static final byte OK = 0;

    static final byte DEGRADED = 1;
    static final byte CLIENT_DROP = 99;

    private long[] dueMs = new long[1024];
    private int[] micros = new int[1024];
    private byte[] outcome = new byte[1024];

    /** For a degraded answer its reasons ("stage:cause" joined by ','), else null. */
    private String[] reasons = new String[1024];

    private int size;

    synchronized void add(long due, long latencyMicros, byte what) {
      add(due, latencyMicros, what, null);
    }

    synchronized void add(long due, long latencyMicros, byte what, String why) {
      if (size == dueMs.length) {
        dueMs = java.util.Arrays.copyOf(dueMs, size * 2);
        micros = java.util.Arrays.copyOf(micros, size * 2);
        outcome = java.util.Arrays.copyOf(outcome, size * 2);
        reasons = java.util.Arrays.copyOf(reasons, size * 2);
      }
      dueMs[size] = due;
      micros[size] = (int) Math.min(Integer.MAX_VALUE, latencyMicros);
      outcome[size] = what;
      reasons[size] = why;
      size++;
    }

    synchronized String reasons(int i) {
      return reasons[i];
    }

    synchronized int size() {
      return size;
    }

    synchronized long dueMs(int i) {
      return dueMs[i];
    }

    synchronized int micros(int i) {
      return micros[i];
    }

    synchronized byte outcome(int i) {
      return outcome[i];
    }

    static String name(byte outcome) {
      return outcome == OK
          ? "OK"
          : outcome == DEGRADED
              ? "OK_DEGRADED"
              : outcome == CLIENT_DROP
                  ? "CLIENT_OVERLOAD"
                  : Status.Code.values()[outcome - 2].name();
    }
  }

  /** What one run measured (the JSON written by {@link #writeResults}). */
  record Result(
      String mode,
      double offeredRate,
      int concurrency,
      int durationSeconds,
      long deadlineMs,
      long ok,
      long degraded,
      Map<String, Long> errors,
      Map<String, Long> degradedReasons,
      Histogram latency,
      Map<String, Double> cpuMsPerRequest,
      double cacheHitRate,
      Map<String, Histogram> stages,
      List<double[]> timeline,
      Events events) {
    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double achievedRate() {
      return ok / (double) durationSeconds;
    }

    double errorShare() {
      return errorCount() / (double) Math.max(1, ok + errorCount());
    }

    double degradedShare() {
      return degraded / (double) Math.max(1, ok);
    }

    double ms(double percentile) {
      return latency.getTotalCount() == 0
          ? Double.NaN
          : latency.getValueAtPercentile(percentile) / 1e3;
    }

    String toJson() {
      StringBuilder json = new StringBuilder("{\n");
      json.append(
          String.format(
              Locale.ROOT,
              "  \"mode\": \"%s\",%n  \"offered_rate\": %.1f,%n  \"concurrency\": %d,%n "
                  + " \"duration_s\": %d,%n  \"deadline_ms\": %d,%n  \"ok\": %d,%n "
                  + " \"achieved_rate\": %.1f,%n",
              mode,
              offeredRate,
              concurrency,
              durationSeconds,
              deadlineMs,
              ok,
              achievedRate()));
      json.append(
          String.format(
              Locale.ROOT,
              "  \"latency_ms\": {\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f,"
                  + " \"max\": %.3f},%n",
              ms(50),
              ms(90),
              ms(99),
              ms(99.9),
              latency.getMaxValue() / 1e3));
      json.append("  \"errors\": ").append(counts(errors)).append(",\n");
      json.append(
          String.format(
              Locale.ROOT,
              "  \"error_share\": %.5f,%n  \"degraded_share\": %.5f,%n",
              errorShare(),
              degradedShare()));
      json.append("  \"degraded_reasons\": ").append(counts(degradedReasons)).append(",\n");
      json.append("  \"cpu_ms_per_request\": {");
      int i = 0;
      for (Map.Entry<String, Double> e : cpuMsPerRequest.entrySet()) {
        json.append(i++ == 0 ? "" : ", ")
            .append('"')
            .append(e.getKey())
            .append("\": ")
            .append(
                e.getValue().isNaN() ? "null" : String.format(Locale.ROOT, "%.3f", e.getValue()));
      }
      json.append("},\n");
      json.append("  \"embedding_cache_hit_rate\": ")
          .append(
              Double.isNaN(cacheHitRate)
                  ? "null"
                  : String.format(Locale.ROOT, "%.4f", cacheHitRate))
          .append(",\n");
      json.append("  \"stage_latency_ms\": {");
      i = 0;
      for (Map.Entry<String, Histogram> e : new TreeMap<>(stages).entrySet()) {
        json.append(i++ == 0 ? "\n" : ",\n")
            .append(
                String.format(
                    Locale.ROOT,
                    "    \"%s\": {\"p50\": %.3f, \"p99\": %.3f, \"n\": %d}",
                    e.getKey(),
                    e.getValue().getValueAtPercentile(50) / 1e3,
                    e.getValue().getValueAtPercentile(99) / 1e3,
                    e.getValue().getTotalCount()));
      }
      return json.append("\n  }\n}\n").toString();
    }

    private static String counts(Map<String, Long> m) {
      StringBuilder sb = new StringBuilder("{");
      int i = 0;
      for (Map.Entry<String, Long> e : new TreeMap<>(m).entrySet()) {
        sb.append(i++ == 0 ? "" : ", ")
            .append('"')
            .append(e.getKey())
            .append("\": ")
            .append(e.getValue());
      }
      return sb.append('}').toString();
    }
  }

  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> degradedReasons = new ConcurrentHashMap<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong degraded = new AtomicLong();
  private final AtomicLong secondErrors = new AtomicLong();
  private final AtomicLong secondDegraded = new AtomicLong();
  private final Map<String, Histogram> stages = new ConcurrentHashMap<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Map<String, Integer> sessionPage = new ConcurrentHashMap<>();
  private final Events events = new Events();
  private volatile boolean measuring;
  private volatile long measureFromNanos;
  private volatile boolean stopRequested;
  private int measuredSeconds;

  /** Opens when the measured time starts (the chaos command times its faults from then). */
  final java.util.concurrent.CountDownLatch measuringStarted =
      new java.util.concurrent.CountDownLatch(1);

  /** Ends the run early: no new calls are sent; the measured time is cut at this moment. */
  void requestStop() {
    stopRequested = true;
  }

  /**
   * When the measured time started (System.nanoTime), valid once {@link #measuringStarted} is open.
   */
  long measureFromNanos() {
    return measureFromNanos;
  }

  private RecommendRequest next(SplittableRandom rnd, Zipf z) {
    String user =
        rnd.nextDouble() < unknownShare
            ? "visitor-" + rnd.nextInt(1_000_000)
            : Integer.toString(z.sample(rnd));
    int page = sessionPage.getOrDefault(user, 0);
    String token = "";
    if (page > 0 && page < pages && tokens.containsKey(user)) {
      token = tokens.get(user);
    } else {
      page = 0;
    }
    sessionPage.put(user, page + 1);
    return RecommendRequest.newBuilder()
        .setPageSize(20)
        .setPageToken(token)
        .setContext(
            RequestContext.newBuilder().setUserId(user).setDebug(rnd.nextDouble() < debugShare))
        .build();
  }

  private void record(
      RecommendRequest req, RecommendResponse resp, Throwable error, long startNanos) {
    if (!measuring) {
      return;
    }
    long micros = Math.max(1, (System.nanoTime() - startNanos) / 1000);
    long due = (startNanos - measureFromNanos) / 1_000_000;
    if (error != null) {
      Status.Code code = Status.fromThrowable(error).getCode();
      errors.computeIfAbsent(code.name(), k -> new AtomicLong()).incrementAndGet();
      secondErrors.incrementAndGet();
      events.add(due, micros, (byte) (code.value() + 2));
      return;
    }
    recorder.recordValue(Math.min(micros, TimeUnit.SECONDS.toMicros(60)));
    ok.incrementAndGet();
    String why = null;
    if (resp.getDegraded()) {
      degraded.incrementAndGet();
      secondDegraded.incrementAndGet();
      StringBuilder sb = new StringBuilder();
      for (io.rankingcluster.proto.v1.DegradedReason r : resp.getDegradedReasonsList()) {
        degradedReasons
            .computeIfAbsent(r.getStage() + ":" + r.getCause(), k -> new AtomicLong())
            .incrementAndGet();
        sb.append(sb.length() == 0 ? "" : ",")
            .append(r.getStage())
            .append(':')
            .append(r.getCause());
      }
      why = sb.toString();
    }
    events.add(due, micros, resp.getDegraded() ? Events.DEGRADED : Events.OK, why);
    tokens.put(req.getContext().getUserId(), resp.getNextPageToken());
    for (StageDebug s : resp.getDebug().getStagesList()) {
      Histogram h =
          stages.computeIfAbsent(
              s.getStage(), k -> new Histogram(TimeUnit.SECONDS.toMicros(60), 3));
      synchronized (h) {
        h.recordValue(
            Math.max(1, Math.min((long) (s.getLatencyMs() * 1000), TimeUnit.SECONDS.toMicros(60))));
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    Result r = run();
    writeResults(r);
    return 0;
  }

  /**
   * One run against {@link #target}: warm-up, then the measured time; returns what was measured.
   */
  Result run() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    MixerServiceGrpc.MixerServiceFutureStub async = MixerServiceGrpc.newFutureStub(channel);
    MixerServiceGrpc.MixerServiceBlockingStub blocking = MixerServiceGrpc.newBlockingStub(channel);
    // The client's own start (class loading, the connection, its first HTTP/2 frames) is not the
    // cluster's: one health check on the same channel before the schedule starts. Without it an
    // open loop started from a cold client JVM sent its first second of calls late, all at once,
    // and charged that to the cluster (the first minute after a start had its p99 there).
    try {
      io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
    } catch (io.grpc.StatusRuntimeException e) {
      System.err.println("health check before the load failed: " + e.getStatus());
    }
    Zipf zipf = new Zipf(users, this.zipf);
    List<double[]> timeline =
        new ArrayList<>(); // second, ok per second, p50 ms, p99 ms, errors, degraded
    long end;
    double[][] cpu = new double[2][];
    double[][] cache = new double[2][];
    try {
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      measureFromNanos = measureFrom;
      end = measureFrom + TimeUnit.SECONDS.toNanos(duration);
      // The CPU counters are read when the measured time starts and when it ends: the warm-up's CPU
      // (and the
      // JIT work in it) is not charged to the measured requests.
      Thread reporter =
          new Thread(
              () -> {
                LockSupport.parkNanos(measureFrom - System.nanoTime());
                cpu[0] = cpuSeconds();
                cache[0] = cacheGets();
                measuringStarted.countDown();
                report(measureFrom, timeline);
              },
              "load-progress");
      reporter.setDaemon(true);
      reporter.start();
      if (rate > 0) {
        Semaphore inFlight = new Semaphore(maxOutstanding);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; ; i++) {
          long intended =
              intendedStart(start, i, rate, measureFrom - start, rampTo, end - measureFrom);
          if (intended >= end || stopRequested) {
            break;
          }
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          measuring = System.nanoTime() >= measureFrom;
          RecommendRequest req = next(rnd, zipf);
          if (!inFlight.tryAcquire()) {
            if (measuring) {
              errors.computeIfAbsent("CLIENT_OVERLOAD", k -> new AtomicLong()).incrementAndGet();
              events.add((intended - measureFrom) / 1_000_000, 0, Events.CLIENT_DROP);
            }
            continue;
          }
          Futures.addCallback(
              async.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).recommend(req),
              new FutureCallback<>() {
                @Override
                public void onSuccess(RecommendResponse r) {
                  inFlight.release();
                  record(
                      req, r, null, intended); // from the intended start: no coordinated omission
                }

                @Override
                public void onFailure(Throwable t) {
                  inFlight.release();
                  record(req, null, t, intended);
                }
              },
              MoreExecutors.directExecutor());
        }
        // Let the last calls finish (each ends by its deadline), bounded in case a completion is
        // lost.
        if (!inFlight.tryAcquire(maxOutstanding, deadlineMs + 5_000, TimeUnit.MILLISECONDS)) {
          System.err.println("some calls did not end within their deadline + 5 s");
        }
      } else {
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
          SplittableRandom rnd = new SplittableRandom(seed + c);
          Thread t =
              new Thread(
                  () -> {
                    while (System.nanoTime() < end && !stopRequested) {
                      measuring = System.nanoTime() >= measureFrom;
                      RecommendRequest req = next(rnd, zipf);
                      long t0 = System.nanoTime();
                      try {
                        record(
                            req,
                            blocking
                                .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                                .recommend(req),
                            null,
                            t0);
                      } catch (RuntimeException e) {
                        record(req, null, e, t0);
                      }
                    }
                  },
                  "caller-" + c);
          t.start();
          callers.add(t);
        }
        for (Thread t : callers) {
          t.join();
        }
      }
      measuring = false;
      measuredSeconds =
          Math.max(1, (int) Math.round((Math.min(System.nanoTime(), end) - measureFrom) / 1e9));
      cpu[1] = cpuSeconds();
      cache[1] = cacheGets();
      reporter.interrupt();
      reporter.join(2_000);
    } finally {
      channel.shutdownNow();
    }
    synchronized (total) {
      total.add(recorder.getIntervalHistogram());
    }
    long requests = ok.get() + errors.values().stream().mapToLong(AtomicLong::get).sum();
    Map<String, Double> cpuMs = new java.util.LinkedHashMap<>();
    double sum = 0;
    for (int i = 0; i < metrics.size(); i++) {
      double ms =
          cpu[0] == null ? Double.NaN : (cpu[1][i] - cpu[0][i]) * 1e3 / Math.max(1, requests);
      cpuMs.put(serviceName(metrics.get(i)), ms);
      sum += ms;
    }
    cpuMs.put("services_total", sum);
    cpuMs.put(
        "load_generator",
        cpu[0] == null
            ? Double.NaN
            : (cpu[1][metrics.size()] - cpu[0][metrics.size()]) * 1e3 / Math.max(1, requests));
    double hits = cache[0] == null ? Double.NaN : cache[1][0] - cache[0][0];
    double misses = cache[0] == null ? Double.NaN : cache[1][1] - cache[0][1];
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.get()));
    Map<String, Long> reasons = new TreeMap<>();
    degradedReasons.forEach((k, v) -> reasons.put(k, v.get()));
    return new Result(
        rate > 0 ? "open" : "closed",
        rate,
        rate > 0 ? 0 : concurrency,
        measuredSeconds,
        deadlineMs,
        ok.get(),
        degraded.get(),
        errorCounts,
        reasons,
        total,
        cpuMs,
        hits + misses > 0 ? hits / (hits + misses) : Double.NaN,
        stages,
        timeline,
        events);
  }

  /** "mixer" for http://127.0.0.2:10090/metrics, by the standard ports; else host:port. */
  static String serviceName(String url) {
    URI u = URI.create(url);
    String name =
        switch (u.getPort()) {
          case 10090 -> "mixer";
          case 10091 -> "recall";
          case 10092 -> "prerank";
          case 10093 -> "rank";
          default -> "port " + u.getPort();
        };
    return name + "@" + u.getHost();
  }

  private void report(long measureFrom, List<double[]> timeline) {
    try {
      long next = Math.max(System.nanoTime(), measureFrom) + TimeUnit.SECONDS.toNanos(1);
      int second = 0;
      while (!Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(next - System.nanoTime());
        if (Thread.currentThread().isInterrupted()) {
          break;
        }
        next += TimeUnit.SECONDS.toNanos(1);
        Histogram h = recorder.getIntervalHistogram();
        synchronized (total) {
          total.add(h);
        }
        second++;
        long errs = errors.values().stream().mapToLong(AtomicLong::get).sum();
        synchronized (timeline) {
          timeline.add(
              new double[] {
                second,
                h.getTotalCount(),
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                secondErrors.getAndSet(0),
                secondDegraded.getAndSet(0)
              });
        }
        if (!quiet) {
          System.out.printf(
              Locale.ROOT,
              "\r%4d s  %6d ok/s  p50 %7.2f ms  p99 %7.2f ms  ok %d  errors %d  degraded %.2f%%   ",
              second,
              h.getTotalCount(),
              h.getValueAtPercentile(50) / 1e3,
              h.getValueAtPercentile(99) / 1e3,
              ok.get(),
              errs,
              ok.get() == 0 ? 0 : 100.0 * degraded.get() / ok.get());
        }
      }
    } catch (RuntimeException e) {
      // interrupted or finished: the last line stays
    }
  }

  /**
   * The services' own CPU seconds (process_cpu_time_ns_total on each /metrics), then this process's
   * own; an unreachable service reads NaN.
   */
  private double[] cpuSeconds() {
    double[] out = new double[metrics.size() + 1];
    for (int i = 0; i < metrics.size(); i++) {
      out[i] = Double.NaN;
      String text = scrape(metrics.get(i));
      for (String line : text.split("\n")) {
        if (line.startsWith("process_cpu_time_ns_total{")) {
          out[i] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) / 1e9;
        }
      }
    }
    out[metrics.size()] =
        ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    return out;
  }

  /** Hits and misses of the mixers' embedding cache, summed over the /metrics that have it. */
  private double[] cacheGets() {
    double[] out = new double[2];
    for (String url : metrics) {
      for (String line : scrape(url).split("\n")) {
        if (line.startsWith("ranking_cache_gets_total{") && line.contains("cache=\"embeddings\"")) {
          out[line.contains("result=\"hit\"") ? 0 : 1] +=
              Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return out;
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * The text of a /metrics page ("" when unreachable): what the load, sweep and chaos commands
   * read.
   */
  static String scrape(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException | IllegalArgumentException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private void writeResults(Result r) throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("load.json"), r.toJson());
    Files.writeString(out.resolve("latency-over-time.svg"), lineChart(r.timeline()));
    System.out.println();
    System.out.print(r.toJson());
    System.out.println(
        "wrote " + out.resolve("load.json") + " and " + out.resolve("latency-over-time.svg"));
  }

  /** p50 and p99 per second as two polylines. */
  static String lineChart(List<double[]> timeline) {
    synchronized (timeline) {
      return lineChart0(new ArrayList<>(timeline));
    }
  }

  private static String lineChart0(List<double[]> timeline) {
    int w = 720;
    int h = 300;
    double maxY = 1;
    for (double[] p : timeline) {
      maxY = Math.max(maxY, p[3]);
    }
    double maxX = Math.max(1, timeline.size());
    StringBuilder svg =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " font-family=\"sans-serif\" font-size=\"12\">%n<text x=\"10\""
                    + " y=\"16\">Recommend latency per second (ms): p50 blue, p99 orange; max %.1f"
                    + " ms</text>%n<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
                    + " stroke=\"#888\"/><line x1=\"40\" y1=\"30\" x2=\"40\" y2=\"%d\""
                    + " stroke=\"#888\"/>%n",
                w,
                h,
                maxY,
                h - 30,
                w - 10,
                h - 30,
                h - 30));
    for (int series = 2; series <= 3; series++) {
      svg.append("<polyline fill=\"none\" stroke=\"")
          .append(series == 2 ? "#4e79a7" : "#f28e2b")
          .append("\" points=\"");
      for (double[] p : timeline) {
        double x = 40 + (w - 50) * p[0] / maxX;
        double y = (h - 30) - (h - 60) * p[series] / maxY;
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append("\"/>\n");
    }
    return svg.append("</svg>\n").toString();
  }
}
