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
 * {@code load}: Recommend traffic like a population of users. Open loop at a target rate (each request has an
 * intended start time on a fixed schedule and its latency is counted from that time, so a stalled server
 * cannot hide its queue: no coordinated omission), or closed loop with N callers. Users follow a Zipf law over
 * the known ids (heavy users come back) plus a share of unknown ids; a user continues their session to the
 * next page (with the page token) up to --pages. Deadlines as a client sets them. Reports p50/p90/p99/p99.9
 * (HdrHistogram), errors by status, the degraded share, CPU seconds per request from the services' own
 * process counters (/metrics), per-stage latencies from a debug sample, and latency over time, as JSON and SVG.
 */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load generator for Recommend (open or closed loop).")
public final class LoadGeneratorMain implements Callable<Integer> {
  @Option(names = "--target", defaultValue = "127.0.0.1:9090", description = "Mixer address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--rate", defaultValue = "0", description = "Open loop: requests per second; 0 = closed loop (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--concurrency", defaultValue = "4", description = "Closed loop: callers (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--duration-seconds", defaultValue = "30", description = "Measured time (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--warmup-seconds", defaultValue = "5", description = "Unmeasured time first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--users", defaultValue = "50000", description = "Known user ids \"1\"..N (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--zipf", defaultValue = "1.1", description = "Zipf exponent of user activity (default: ${DEFAULT-VALUE}).")
  double zipf;

  @Option(names = "--unknown-share", defaultValue = "0.1", description = "Share of requests from unknown users (default: ${DEFAULT-VALUE}).")
  double unknownShare;

  @Option(names = "--pages", defaultValue = "3", description = "Pages per session at most (default: ${DEFAULT-VALUE}).")
  int pages;

  @Option(names = "--deadline-ms", defaultValue = "150", description = "Client deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMs;

  @Option(names = "--debug-share", defaultValue = "0.05", description = "Share of requests sent with debug for stage latencies (default: ${DEFAULT-VALUE}).")
  double debugShare;

  @Option(names = "--max-outstanding", defaultValue = "2000", description = "Open loop: calls in flight at most; beyond, a call counts as a client-side drop (default: ${DEFAULT-VALUE}).")
  int maxOutstanding;

  @Option(names = "--metrics", split = ",", defaultValue = "http://127.0.0.1:10090/metrics,http://127.0.0.1:10091/metrics,http://127.0.0.1:10092/metrics,http://127.0.0.1:10093/metrics",
      description = "The services' /metrics, for CPU seconds per request (default: the single local cluster).")
  List<String> metrics;

  @Option(names = "--out", defaultValue = "target/load", description = "Folder for the JSON and SVG results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the user sampler (default: ${DEFAULT-VALUE}).")
  long seed;

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

  /** Open-loop schedule: the intended start of request i is start + i / rate, whatever happened before. */
  static long intendedStart(long startNanos, long i, double rate) {
    return startNanos + (long) (i * 1e9 / rate);
  }

  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong degraded = new AtomicLong();
  private final Map<String, Histogram> stages = new ConcurrentHashMap<>();
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Map<String, Integer> sessionPage = new ConcurrentHashMap<>();
  private volatile boolean measuring;

  private RecommendRequest next(SplittableRandom rnd, Zipf z) {
    String user = rnd.nextDouble() < unknownShare ? "visitor-" + rnd.nextInt(1_000_000) : Integer.toString(z.sample(rnd));
    int page = sessionPage.getOrDefault(user, 0);
    String token = "";
    if (page > 0 && page < pages && tokens.containsKey(user)) {
      token = tokens.get(user);
    } else {
      page = 0;
    }
    sessionPage.put(user, page + 1);
    return RecommendRequest.newBuilder().setPageSize(20).setPageToken(token).setContext(RequestContext.newBuilder()
        .setUserId(user).setDebug(rnd.nextDouble() < debugShare)).build();
  }

  private void record(RecommendRequest req, RecommendResponse resp, Throwable error, long startNanos) {
    if (!measuring) {
      return;
    }
    long micros = Math.max(1, (System.nanoTime() - startNanos) / 1000);
    if (error != null) {
      errors.computeIfAbsent(Status.fromThrowable(error).getCode().name(), k -> new AtomicLong()).incrementAndGet();
      return;
    }
    recorder.recordValue(Math.min(micros, TimeUnit.SECONDS.toMicros(60)));
    ok.incrementAndGet();
    if (resp.getDegraded()) {
      degraded.incrementAndGet();
    }
    tokens.put(req.getContext().getUserId(), resp.getNextPageToken());
    for (StageDebug s : resp.getDebug().getStagesList()) {
      Histogram h = stages.computeIfAbsent(s.getStage(), k -> new Histogram(TimeUnit.SECONDS.toMicros(60), 3));
      synchronized (h) {
        h.recordValue(Math.max(1, Math.min((long) (s.getLatencyMs() * 1000), TimeUnit.SECONDS.toMicros(60))));
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    MixerServiceGrpc.MixerServiceFutureStub async = MixerServiceGrpc.newFutureStub(channel);
    MixerServiceGrpc.MixerServiceBlockingStub blocking = MixerServiceGrpc.newBlockingStub(channel);
    Zipf zipf = new Zipf(users, this.zipf);
    List<double[]> timeline = new ArrayList<>(); // second, rate, p50 ms, p99 ms
    long end;
    double cpuBefore = cpuSeconds();
    try {
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      end = measureFrom + TimeUnit.SECONDS.toNanos(duration);
      Thread reporter = new Thread(() -> report(measureFrom, timeline), "load-progress");
      reporter.setDaemon(true);
      reporter.start();
      if (rate > 0) {
        Semaphore inFlight = new Semaphore(maxOutstanding);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; ; i++) {
          long intended = intendedStart(start, i, rate);
          if (intended >= end) {
            break;
          }
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          measuring = System.nanoTime() >= measureFrom;
          RecommendRequest req = next(rnd, zipf);
          if (!inFlight.tryAcquire()) {
            errors.computeIfAbsent("CLIENT_OVERLOAD", k -> new AtomicLong()).incrementAndGet();
            continue;
          }
          Futures.addCallback(async.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).recommend(req),
              new FutureCallback<>() {
                @Override
                public void onSuccess(RecommendResponse r) {
                  inFlight.release();
                  record(req, r, null, intended); // from the intended start: no coordinated omission
                }

                @Override
                public void onFailure(Throwable t) {
                  inFlight.release();
                  record(req, null, t, intended);
                }
              }, MoreExecutors.directExecutor());
        }
        inFlight.acquire(maxOutstanding); // let the last calls finish (each ends by its deadline)
      } else {
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
          SplittableRandom rnd = new SplittableRandom(seed + c);
          Thread t = new Thread(() -> {
            while (System.nanoTime() < end) {
              measuring = System.nanoTime() >= measureFrom;
              RecommendRequest req = next(rnd, zipf);
              long t0 = System.nanoTime();
              try {
                record(req, blocking.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).recommend(req), null, t0);
              } catch (RuntimeException e) {
                record(req, null, e, t0);
              }
            }
          }, "caller-" + c);
          t.start();
          callers.add(t);
        }
        for (Thread t : callers) {
          t.join();
        }
      }
      measuring = false;
      reporter.interrupt();
    } finally {
      channel.shutdownNow();
    }
    double cpu = cpuSeconds() - cpuBefore;
    synchronized (total) {
      total.add(recorder.getIntervalHistogram());
    }
    writeResults(timeline, cpu);
    return 0;
  }

  private void report(long measureFrom, List<double[]> timeline) {
    try {
      long next = Math.max(System.nanoTime(), measureFrom) + TimeUnit.SECONDS.toNanos(1);
      int second = 0;
      while (!Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(next - System.nanoTime());
        next += TimeUnit.SECONDS.toNanos(1);
        Histogram h = recorder.getIntervalHistogram();
        synchronized (total) {
          total.add(h);
        }
        second++;
        long errs = errors.values().stream().mapToLong(AtomicLong::get).sum();
        timeline.add(new double[] {second, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3});
        System.out.printf(Locale.ROOT, "\r%4d s  %6d req/s  p50 %7.2f ms  p99 %7.2f ms  ok %d  errors %d  degraded %.2f%%   ",
            second, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, ok.get(), errs,
            ok.get() == 0 ? 0 : 100.0 * degraded.get() / ok.get());
      }
    } catch (RuntimeException e) {
      // interrupted or finished: the last line stays
    }
  }

  /** The sum of the services' own CPU time (process_cpu_time_ns_total on /metrics), NaN when one is unreachable. */
  private double cpuSeconds() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    double sum = 0;
    for (String url : metrics) {
      try {
        String text = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
          if (line.startsWith("process_cpu_time_ns_total{")) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) / 1e9;
          }
        }
      } catch (IOException | InterruptedException | IllegalArgumentException e) {
        return Double.NaN;
      }
    }
    return sum;
  }

  private void writeResults(List<double[]> timeline, double cpuSeconds) throws IOException {
    long errs = errors.values().stream().mapToLong(AtomicLong::get).sum();
    long n = ok.get();
    StringBuilder json = new StringBuilder("{\n");
    json.append(String.format(Locale.ROOT, "  \"mode\": \"%s\",%n  \"rate\": %.1f,%n  \"concurrency\": %d,%n  \"duration_s\": %d,%n",
        rate > 0 ? "open" : "closed", rate, rate > 0 ? 0 : concurrency, duration));
    json.append(String.format(Locale.ROOT, "  \"deadline_ms\": %d,%n  \"ok\": %d,%n  \"throughput_rps\": %.1f,%n", deadlineMs, n,
        n / (double) duration));
    json.append(String.format(Locale.ROOT, "  \"latency_ms\": {\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f, \"max\": %.3f},%n",
        total.getValueAtPercentile(50) / 1e3, total.getValueAtPercentile(90) / 1e3, total.getValueAtPercentile(99) / 1e3,
        total.getValueAtPercentile(99.9) / 1e3, total.getMaxValue() / 1e3));
    json.append("  \"errors\": {");
    int i = 0;
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(errors).entrySet()) {
      json.append(i++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue().get());
    }
    json.append(String.format(Locale.ROOT, "},%n  \"error_share\": %.5f,%n  \"degraded_share\": %.5f,%n",
        errs / (double) Math.max(1, n + errs), degraded.get() / (double) Math.max(1, n)));
    json.append(String.format(Locale.ROOT, "  \"cpu_seconds_per_request\": %s,%n",
        Double.isNaN(cpuSeconds) ? "null" : String.format(Locale.ROOT, "%.6f", cpuSeconds / Math.max(1, n + errs))));
    json.append("  \"stage_latency_ms\": {");
    i = 0;
    for (Map.Entry<String, Histogram> e : new TreeMap<>(stages).entrySet()) {
      json.append(i++ == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT, "    \"%s\": {\"p50\": %.3f, \"p99\": %.3f, \"n\": %d}",
          e.getKey(), e.getValue().getValueAtPercentile(50) / 1e3, e.getValue().getValueAtPercentile(99) / 1e3,
          e.getValue().getTotalCount()));
    }
    json.append("\n  }\n}\n");
    Files.writeString(out.resolve("load.json"), json.toString());
    Files.writeString(out.resolve("latency-over-time.svg"), lineChart(timeline));
    System.out.println();
    System.out.print(json);
    System.out.println("wrote " + out.resolve("load.json") + " and " + out.resolve("latency-over-time.svg"));
  }

  /** p50 and p99 per second as two polylines. */
  static String lineChart(List<double[]> timeline) {
    int w = 720;
    int h = 300;
    double maxY = 1;
    for (double[] p : timeline) {
      maxY = Math.max(maxY, p[3]);
    }
    double maxX = Math.max(1, timeline.size());
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
            + "<text x=\"10\" y=\"16\">Recommend latency per second (ms): p50 blue, p99 orange; max %.1f ms</text>%n"
            + "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/><line x1=\"40\" y1=\"30\" x2=\"40\" y2=\"%d\" stroke=\"#888\"/>%n",
        w, h, maxY, h - 30, w - 10, h - 30, h - 30));
    for (int series = 2; series <= 3; series++) {
      svg.append("<polyline fill=\"none\" stroke=\"").append(series == 2 ? "#4e79a7" : "#f28e2b").append("\" points=\"");
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
