package io.rankingcluster.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sweep}: open-loop runs of the load generator at a list of offered rates, each repeated,
 * against a running cluster; then, optionally, a bisection for the capacity: the highest rate whose
 * p99 stays within {@code --p99-ms} with no error and at most {@code --max-degraded} degraded
 * answers (the definition the benchmark and chaos reports share). A rate passes when the median of
 * its repeats passes. Writes sweep.json (every run, offered and achieved) and latency-vs-rate.svg
 * (p50 and p99 medians with the repeats' spread).
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description =
        "Latency against offered rate (open loop, repeated runs) and the capacity under a p99 bar.")
public final class SweepMain implements Callable<Integer> {
  /** The load options every run shares. */
  static final class LoadOptions {
    @Option(
        names = "--target",
        defaultValue = "127.0.0.1:9090",
        description = "Mixer address (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(
        names = "--metrics",
        split = ",",
        defaultValue =
            "http://127.0.0.1:10090/metrics,http://127.0.0.1:10091/metrics,"
                + "http://127.0.0.1:10092/metrics,http://127.0.0.1:10093/metrics",
        description =
            "The services' /metrics, for CPU per request and the cache hit rate (default: the"
                + " single local cluster).")
    List<String> metrics;

    @Option(
        names = "--duration-seconds",
        defaultValue = "20",
        description = "Measured time per run (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(
        names = "--warmup-seconds",
        defaultValue = "5",
        description = "Unmeasured time before each run (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
        names = "--deadline-ms",
        defaultValue = "200",
        description = "Client deadline per call (default: ${DEFAULT-VALUE}).")
    long deadlineMs;

    @Option(
        names = "--users",
        defaultValue = "50000",
        description = "Known user ids \"1\"..N (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(
        names = "--seed",
        defaultValue = "7",
        description =
            "Seed of the user sampler; every run uses the same (default: ${DEFAULT-VALUE}).")
    long seed;

    /** A load generator for one open-loop run at {@code rate}. */
    LoadGeneratorMain at(double rate) {
      LoadGeneratorMain g = CommandLine.populateCommand(new LoadGeneratorMain());
      g.target = target;
      g.metrics = metrics;
      g.duration = duration;
      g.warmup = warmup;
      g.deadlineMs = deadlineMs;
      g.users = users;
      g.seed = seed;
      g.rate = rate;
      g.quiet = true;
      return g;
    }
  }

  @Mixin LoadOptions load = new LoadOptions();

  @Option(
      names = "--rates",
      split = ",",
      defaultValue = "50,100,150,200",
      description = "Offered rates, requests per second (default: ${DEFAULT-VALUE}).")
  double[] rates;

  @Option(
      names = "--repeat",
      defaultValue = "3",
      description = "Runs per rate; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--find-capacity",
      description =
          "After the sweep, bisect between the highest passing and the lowest failing rate.")
  boolean findCapacity;

  @Option(
      names = "--resolution",
      defaultValue = "10",
      description =
          "Bisection stops when the interval is this narrow, req/s (default: ${DEFAULT-VALUE}).")
  double resolution;

  @Option(
      names = "--p99-ms",
      defaultValue = "50",
      description = "The capacity's p99 bar (default: ${DEFAULT-VALUE}).")
  double p99Ms;

  @Option(
      names = "--max-degraded",
      defaultValue = "0.01",
      description = "The capacity's largest degraded share (default: ${DEFAULT-VALUE}).")
  double maxDegraded;

  @Option(
      names = "--prewarm-seconds",
      defaultValue = "15",
      description =
          "Unmeasured load at the lowest rate first, so that the JIT of this JVM and the services"
              + " is done (default: ${DEFAULT-VALUE}).")
  int prewarmSeconds;

  @Option(
      names = "--label",
      defaultValue = "",
      description = "Written into sweep.json and the plot's title.")
  String label;

  @Option(
      names = "--out",
      defaultValue = "target/sweep",
      description = "Folder for sweep.json and the SVG (default: ${DEFAULT-VALUE}).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SweepMain()).execute(args));
  }

  /** The runs of one offered rate. */
  record Point(double rate, List<LoadGeneratorMain.Result> runs) {
    double median(java.util.function.ToDoubleFunction<LoadGeneratorMain.Result> f) {
      double[] v = runs.stream().mapToDouble(f).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double min(java.util.function.ToDoubleFunction<LoadGeneratorMain.Result> f) {
      return runs.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    double max(java.util.function.ToDoubleFunction<LoadGeneratorMain.Result> f) {
      return runs.stream().mapToDouble(f).max().orElse(Double.NaN);
    }
  }

  /** Whether one run meets the capacity bar. */
  static boolean passes(LoadGeneratorMain.Result r, double p99Ms, double maxDegraded) {
    return r.errorCount() == 0 && r.ms(99) <= p99Ms && r.degradedShare() <= maxDegraded;
  }

  /** Whether a rate passes: its median run (by p99) meets the bar. */
  boolean passes(Point p) {
    List<LoadGeneratorMain.Result> byP99 = new ArrayList<>(p.runs());
    byP99.sort((a, b) -> Double.compare(a.ms(99), b.ms(99)));
    int passing = 0;
    for (LoadGeneratorMain.Result r : byP99) {
      passing += passes(r, p99Ms, maxDegraded) ? 1 : 0;
    }
    return passing * 2 > byP99.size();
  }

  @Override
  public Integer call() throws Exception {
    if (repeat < 1 || rates.length == 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--repeat must be >= 1 and --rates not empty");
    }
    Files.createDirectories(out);
    List<Point> points = new ArrayList<>();
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    if (prewarmSeconds > 0) {
      LoadGeneratorMain warm = load.at(sorted[0]);
      warm.warmup = 0;
      warm.duration = prewarmSeconds;
      LoadGeneratorMain.Result w = warm.run();
      System.out.printf(
          Locale.ROOT,
          "pre-warm at %.0f req/s for %d s: p99 %.2f ms (not reported)%n",
          sorted[0],
          prewarmSeconds,
          w.ms(99));
    }
    for (double r : sorted) {
      points.add(measure(r));
    }
    Double capacity = null;
    if (findCapacity) {
      double lo = Double.NaN;
      double hi = Double.NaN;
      for (Point p : points) {
        if (passes(p)) {
          lo = p.rate();
        } else if (Double.isNaN(hi) && !Double.isNaN(lo)) {
          hi = p.rate();
        }
      }
      if (!Double.isNaN(lo) && !Double.isNaN(hi)) {
        while (hi - lo > resolution) {
          double mid = Math.round((lo + hi) / 2);
          Point p = measure(mid);
          points.add(p);
          if (passes(p)) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
      }
      capacity = Double.isNaN(lo) ? 0.0 : lo;
      if (Double.isNaN(hi) && !Double.isNaN(lo)) {
        System.out.printf(
            Locale.ROOT,
            "every rate passed: capacity is at least %.0f req/s (offer more with --rates)%n",
            lo);
      }
    }
    points.sort((a, b) -> Double.compare(a.rate(), b.rate()));
    Files.writeString(out.resolve("sweep.json"), json(points, capacity));
    Files.writeString(out.resolve("latency-vs-rate.svg"), chart(points, capacity));
    System.out.println(table(points, capacity));
    System.out.println(
        "wrote " + out.resolve("sweep.json") + " and " + out.resolve("latency-vs-rate.svg"));
    return 0;
  }

  private Point measure(double rate) throws Exception {
    List<LoadGeneratorMain.Result> runs = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      LoadGeneratorMain.Result r = load.at(rate).run();
      runs.add(r);
      System.out.printf(
          Locale.ROOT,
          "rate %5.0f run %d/%d: achieved %6.1f/s  p50 %6.2f  p99 %7.2f ms  errors %d  degraded"
              + " %.2f%%  %s%n",
          rate,
          i + 1,
          repeat,
          r.achievedRate(),
          r.ms(50),
          r.ms(99),
          r.errorCount(),
          100 * r.degradedShare(),
          passes(r, p99Ms, maxDegraded) ? "pass" : "fail");
    }
    return new Point(rate, runs);
  }

  String table(List<Point> points, Double capacity) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "| offered req/s | achieved req/s | p50 ms | p99 ms (min-max) | errors | degraded |"
                    + " CPU ms/req (services) | bar |%n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---|%n"));
    for (Point p : points) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %.0f | %.1f | %.2f | %.2f (%.2f-%.2f) | %.0f | %.2f%% | %.2f | %s |%n",
              p.rate(),
              p.median(LoadGeneratorMain.Result::achievedRate),
              p.median(r -> r.ms(50)),
              p.median(r -> r.ms(99)),
              p.min(r -> r.ms(99)),
              p.max(r -> r.ms(99)),
              p.median(LoadGeneratorMain.Result::errorCount),
              100 * p.median(LoadGeneratorMain.Result::degradedShare),
              p.median(r -> r.cpuMsPerRequest().getOrDefault("services_total", Double.NaN)),
              passes(p) ? "pass" : "fail"));
    }
    if (capacity != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%ncapacity (p99 <= %.0f ms, no errors, <= %.1f%% degraded): %.0f req/s%n",
              p99Ms,
              100 * maxDegraded,
              capacity));
    }
    return sb.toString();
  }

  private String json(List<Point> points, Double capacity) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "  \"label\": \"%s\",%n  \"p99_bar_ms\": %.1f,%n  \"max_degraded\": %.4f,%n "
                + " \"capacity\": %s,%n",
            label.replace("\"", "'"),
            p99Ms,
            maxDegraded,
            capacity == null ? "null" : String.format(Locale.ROOT, "%.0f", capacity)));
    sb.append("  \"points\": [");
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      sb.append(i == 0 ? "\n" : ",\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "    {\"offered_rate\": %.1f, \"passes\": %s, \"runs\": [",
                  p.rate(),
                  passes(p)));
      for (int j = 0; j < p.runs().size(); j++) {
        sb.append(j == 0 ? "\n" : ",\n")
            .append(p.runs().get(j).toJson().replaceAll("(?m)^", "      ").stripTrailing());
      }
      sb.append("\n    ]}");
    }
    return sb.append("\n  ]\n}\n").toString();
  }

  /**
   * p50 and p99 (medians, with min-max whiskers) against the offered rate; the bar as a dashed
   * line.
   */
  String chart(List<Point> points, Double capacity) {
    int w = 720;
    int h = 360;
    int left = 60;
    int bottom = h - 50;
    int top = 40;
    double maxX = 0;
    double maxY = p99Ms * 1.2;
    for (Point p : points) {
      maxX = Math.max(maxX, p.rate());
      maxY = Math.max(maxY, Math.min(p.max(r -> r.ms(99)), p99Ms * 6));
    }
    maxX *= 1.05;
    final double fx = (w - left - 20) / Math.max(1, maxX);
    final double fy = (bottom - top) / maxY;
    StringBuilder svg =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\""
                    + " height=\"100%%\" fill=\"white\"/>%n<text x=\"10\" y=\"18\">Recommend"
                    + " latency against offered load%s: p50 (blue), p99 (orange), median of runs"
                    + " with min-max; dashed: the %.0f ms bar</text>%n",
                w,
                h,
                label.isEmpty() ? "" : " (" + label + ")",
                p99Ms));
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n",
            left,
            bottom,
            w - 20,
            bottom));
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n",
            left,
            top,
            left,
            bottom));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">offered requests per second</text>%n",
            w / 2 - 80,
            h - 12));
    svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\">ms</text>%n", top - 6));
    for (int i = 0; i <= 5; i++) {
      double y = maxY * i / 5;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>%n",
              left - 6,
              bottom - y * fy + 4,
              y));
      double x = maxX * i / 5;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n",
              left + x * fx,
              bottom + 16,
              x));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\""
                + " stroke-dasharray=\"6,4\"/>%n",
            left,
            bottom - p99Ms * fy,
            w - 20,
            bottom - p99Ms * fy));
    if (capacity != null) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#2a2\""
                  + " stroke-dasharray=\"3,3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#2a2\">capacity"
                  + " %.0f/s</text>%n",
              left + capacity * fx,
              top,
              left + capacity * fx,
              bottom,
              left + capacity * fx + 4,
              top + 12,
              capacity));
    }
    String[] colors = {"#4e79a7", "#f28e2b"};
    double[] pct = {50, 99};
    for (int s = 0; s < 2; s++) {
      double q = pct[s];
      StringBuilder line = new StringBuilder();
      for (Point p : points) {
        double x = left + p.rate() * fx;
        double y = bottom - Math.min(maxY, p.median(r -> r.ms(q))) * fy;
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        svg.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                x,
                bottom - Math.min(maxY, p.min(r -> r.ms(q))) * fy,
                x,
                bottom - Math.min(maxY, p.max(r -> r.ms(q))) * fy,
                colors[s],
                x,
                y,
                colors[s]));
      }
      svg.append("<polyline fill=\"none\" stroke=\"")
          .append(colors[s])
          .append("\" points=\"")
          .append(line)
          .append("\"/>\n");
    }
    return svg.append("</svg>\n").toString();
  }
}
