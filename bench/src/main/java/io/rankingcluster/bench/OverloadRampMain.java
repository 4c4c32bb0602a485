package io.rankingcluster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code overload-ramp}: offered load rising linearly past capacity (open loop, the load
 * generator's users), and per second what came back: goodput (whole answers, or answers only the
 * quality factor degraded, within the deadline), the degraded shares by cause (quality factor, last
 * resort, a fault), refusals (RESOURCE_EXHAUSTED), UNAVAILABLE and other errors, and the p99 of the
 * answers. With {@code --burn-core} another process burns one core for the whole run (a bounded
 * busy loop this command starts and stops). Writes ramp.json, ramp.md and ramp.svg.
 */
@Command(
    name = "overload-ramp",
    mixinStandardHelpOptions = true,
    description =
        "Offered load rising past capacity: goodput, degraded share by cause, refusals and p99 per"
            + " second, optionally with another process burning a core.")
public final class OverloadRampMain implements Callable<Integer> {
  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:9090",
      description = "Mixer address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--from",
      defaultValue = "50",
      description = "Offered rate at the start, req/s (default: ${DEFAULT-VALUE}).")
  double from;

  @Option(
      names = "--to",
      defaultValue = "300",
      description = "Offered rate at the end, req/s (default: ${DEFAULT-VALUE}).")
  double to;

  @Option(
      names = "--seconds",
      defaultValue = "120",
      description = "Length of the ramp (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "20",
      description = "Unmeasured load at --from first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--users",
      defaultValue = "50000",
      description = "Known user ids \"1\"..N (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--deadline-ms",
      defaultValue = "200",
      description = "Client deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMs;

  @Option(
      names = "--burn-core",
      description =
          "Start a process that keeps one core busy for the warm-up and the ramp, and stop it"
              + " after.")
  boolean burnCore;

  @Option(names = "--check", description = "Exit 1 when any request came back UNAVAILABLE.")
  boolean check;

  @Option(names = "--label", defaultValue = "", description = "Written into the report's title.")
  String label;

  @Option(
      names = "--out",
      defaultValue = "target/overload-ramp",
      description = "Folder for ramp.json, ramp.md and ramp.svg (default: ${DEFAULT-VALUE}).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OverloadRampMain()).execute(args));
  }

  /** One second of the ramp. */
  record Second(
      int second,
      long offered,
      long goodput,
      long whole,
      long qualityFactor,
      long lastResort,
      long faultDegraded,
      long refused,
      long unavailable,
      long otherErrors,
      double p99Ms) {
    long answered() {
      return whole + qualityFactor + lastResort + faultDegraded;
    }

    double share(long n) {
      return answered() == 0 ? 0 : n / (double) answered();
    }
  }

  @Override
  public Integer call() throws Exception {
    if (from <= 0 || to <= 0 || seconds < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--from and --to must be > 0 and --seconds >= 1");
    }
    Files.createDirectories(out);
    Process burner = burnCore ? startBurner(warmup + seconds + 10) : null;
    LoadGeneratorMain.Result r;
    try {
      LoadGeneratorMain g = CommandLine.populateCommand(new LoadGeneratorMain());
      g.target = target;
      g.rate = from;
      g.rampTo = to;
      g.duration = seconds;
      g.warmup = warmup;
      g.users = users;
      g.deadlineMs = deadlineMs;
      g.maxOutstanding = 10_000;
      g.out = out.resolve("load");
      g.quiet = true;
      System.out.printf(
          Locale.ROOT,
          "overload ramp: %.0f -> %.0f req/s over %d s after %d s at %.0f%s%n",
          from,
          to,
          seconds,
          warmup,
          from,
          burnCore ? ", another process burning one core" : "");
      r = g.run();
    } finally {
      if (burner != null) {
        burner.destroy();
        burner.waitFor(5, TimeUnit.SECONDS);
      }
    }
    List<Second> rows = perSecond(r.events(), deadlineMs);
    long unavailable = rows.stream().mapToLong(Second::unavailable).sum();
    Files.writeString(out.resolve("ramp.json"), json(rows, r));
    Files.writeString(out.resolve("ramp.md"), markdown(rows));
    Files.writeString(out.resolve("ramp.svg"), chart(rows));
    System.out.print(markdown(rows));
    System.out.println("wrote " + out.resolve("ramp.md") + ", ramp.json, ramp.svg");
    if (check && unavailable > 0) {
      System.err.println("check failed: " + unavailable + " requests came back UNAVAILABLE");
      return 1;
    }
    return 0;
  }

  /** A JVM spinning one thread until killed or {@code seconds} have passed. */
  private static Process startBurner(int seconds) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx32m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Burn.class.getName(),
            Integer.toString(seconds))
        .inheritIO()
        .start();
  }

  /** The busy loop of --burn-core: one thread, bounded in time. */
  public static final class Burn {
    private Burn() {}

    public static void main(String[] args) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
      long x = 0;
      while (System.nanoTime() < until) {
        x += x * 31 + 7;
      }
      System.out.println(x == 42 ? "" : "burner done");
    }
  }

  static List<Second> perSecond(LoadGeneratorMain.Events e, long deadlineMs) {
    int n = 0;
    for (int i = 0; i < e.size(); i++) {
      n = (int) Math.max(n, e.dueMs(i) / 1000 + 1);
    }
    long[][] c = new long[n][9];
    Histogram[] h = new Histogram[n];
    for (int s = 0; s < n; s++) {
      h[s] = new Histogram(TimeUnit.SECONDS.toMicros(60), 2);
    }
    for (int i = 0; i < e.size(); i++) {
      if (e.dueMs(i) < 0) {
        continue;
      }
      int s = (int) (e.dueMs(i) / 1000);
      byte o = e.outcome(i);
      c[s][0]++;
      boolean answered = o == LoadGeneratorMain.Events.OK || o == LoadGeneratorMain.Events.DEGRADED;
      if (answered) {
        h[s].recordValue(Math.max(1, Math.min(e.micros(i), TimeUnit.SECONDS.toMicros(60))));
        boolean inTime = e.micros(i) <= deadlineMs * 1000;
        if (o == LoadGeneratorMain.Events.OK) {
          c[s][2]++;
          c[s][1] += inTime ? 1 : 0;
        } else {
          String why = String.valueOf(e.reasons(i));
          boolean quality = false;
          boolean lastResort = false;
          boolean fault = false;
          for (String r : why.split(",")) {
            quality |= r.equals(ChaosMain.Stats.QUALITY_FACTOR);
            lastResort |= r.equals(ChaosMain.Stats.LAST_RESORT);
            fault |=
                !r.equals(ChaosMain.Stats.QUALITY_FACTOR) && !r.equals(ChaosMain.Stats.LAST_RESORT);
          }
          // One cause per answer, the worst first: a fault, then the last resort, then the factor.
          if (fault) {
            c[s][5]++;
          } else if (lastResort) {
            c[s][4]++;
          } else if (quality) {
            c[s][3]++;
            c[s][1] += inTime ? 1 : 0;
          }
        }
      } else {
        String name = LoadGeneratorMain.Events.name(o);
        if (name.equals("RESOURCE_EXHAUSTED")) {
          c[s][6]++;
        } else if (name.equals("UNAVAILABLE")) {
          c[s][7]++;
        } else {
          c[s][8]++;
        }
      }
    }
    List<Second> rows = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      long[] x = c[s];
      rows.add(
          new Second(
              s,
              x[0],
              x[1],
              x[2],
              x[3],
              x[4],
              x[5],
              x[6],
              x[7],
              x[8],
              h[s].getTotalCount() == 0 ? Double.NaN : h[s].getValueAtPercentile(99) / 1e3));
    }
    return rows;
  }

  private String title() {
    return String.format(
        Locale.ROOT,
        "Offered load %.0f -> %.0f req/s over %d s%s%s",
        from,
        to,
        seconds,
        burnCore ? ", another process burning one core" : "",
        label.isEmpty() ? "" : " (" + label + ")");
  }

  /** Ten-second bands: a person reads the trend here and the detail in the plot. */
  String markdown(List<Second> rows) {
    StringBuilder md =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s. Goodput: answers within the %d ms deadline, whole or degraded only by the"
                    + " quality factor. Shares are of the answers.%n%n| seconds | offered req/s |"
                    + " goodput req/s | whole | quality factor | last resort | fault-degraded |"
                    + " refused req/s | UNAVAILABLE | other errors | p99 ms (worst second)"
                    + " |%n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                title(),
                deadlineMs));
    for (int b = 0; b * 10 < rows.size(); b++) {
      List<Second> band = rows.subList(b * 10, Math.min(rows.size(), b * 10 + 10));
      long[] sum = new long[10];
      double p99 = 0;
      for (Second x : band) {
        sum[0] += x.offered();
        sum[1] += x.goodput();
        sum[2] += x.whole();
        sum[3] += x.qualityFactor();
        sum[4] += x.lastResort();
        sum[5] += x.faultDegraded();
        sum[6] += x.refused();
        sum[7] += x.unavailable();
        sum[8] += x.otherErrors();
        p99 = Double.isNaN(x.p99Ms()) ? p99 : Math.max(p99, x.p99Ms());
      }
      long answered = sum[2] + sum[3] + sum[4] + sum[5];
      double secs = band.size();
      md.append(
          String.format(
              Locale.ROOT,
              "| %d-%d | %.0f | %.0f | %s | %s | %s | %s | %.1f | %d | %d | %.1f |%n",
              b * 10,
              b * 10 + band.size(),
              sum[0] / secs,
              sum[1] / secs,
              pct(sum[2], answered),
              pct(sum[3], answered),
              pct(sum[4], answered),
              pct(sum[5], answered),
              sum[6] / secs,
              sum[7],
              sum[8],
              p99));
    }
    return md.toString();
  }

  private static String pct(long n, long of) {
    return of == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / of);
  }

  private String json(List<Second> rows, LoadGeneratorMain.Result r) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "{%n  \"from_rate\": %.1f,%n  \"to_rate\": %.1f,%n  \"seconds\": %d,%n"
                    + "  \"burn_core\": %b,%n  \"deadline_ms\": %d,%n  \"errors\": %s,%n"
                    + "  \"degraded_reasons\": %s,%n  \"per_second\": [",
                from,
                to,
                seconds,
                burnCore,
                deadlineMs,
                ChaosMain.jsonCounts(new TreeMap<>(r.errors())),
                ChaosMain.jsonCounts(new TreeMap<>(r.degradedReasons()))));
    for (int i = 0; i < rows.size(); i++) {
      Second x = rows.get(i);
      sb.append(i == 0 ? "\n" : ",\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "    {\"s\": %d, \"offered\": %d, \"goodput\": %d, \"whole\": %d,"
                      + " \"quality_factor\": %d, \"last_resort\": %d, \"fault_degraded\": %d,"
                      + " \"refused\": %d, \"unavailable\": %d, \"other_errors\": %d, \"p99_ms\":"
                      + " %.2f}",
                  x.second(),
                  x.offered(),
                  x.goodput(),
                  x.whole(),
                  x.qualityFactor(),
                  x.lastResort(),
                  x.faultDegraded(),
                  x.refused(),
                  x.unavailable(),
                  x.otherErrors(),
                  x.p99Ms()));
    }
    return sb.append("\n  ]\n}\n").toString().replace("NaN", "null");
  }

  /**
   * Three panels over the ramp's seconds: rates (offered, goodput, refused, errors), the degraded
   * shares of the answers by cause, and the p99 of the answers against the deadline.
   */
  String chart(List<Second> rows) {
    int w = 900;
    int left = 60;
    int right = w - 20;
    int[][] panels = {{40, 200}, {240, 340}, {380, 500}};
    int h = 540;
    double fx = (right - left) / (double) Math.max(1, rows.size());
    double maxRate = Math.max(from, to) * 1.1;
    StringBuilder svg =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"100%%\""
                    + " height=\"100%%\" fill=\"white\"/>%n<text x=\"10\" y=\"16\">%s</text>%n",
                w,
                h,
                escape(title())));
    String[] captions = {
      String.format(
          Locale.ROOT,
          "req/s (0-%.0f): offered (grey), goodput (green), refused RESOURCE_EXHAUSTED (blue),"
              + " UNAVAILABLE (red), other errors (black)",
          maxRate),
      "share of answers (0-100%): quality factor (purple), last resort (red), fault-degraded"
          + " (orange)",
      String.format(Locale.ROOT, "p99 of answers, ms (0-%d, the deadline)", deadlineMs)
    };
    for (int p = 0; p < panels.length; p++) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/><line x1=\"%d\""
                  + " y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/><text x=\"%d\" y=\"%d\""
                  + " fill=\"#333\">%s</text>%n",
              left,
              panels[p][1],
              right,
              panels[p][1],
              left,
              panels[p][0],
              left,
              panels[p][1],
              left + 4,
              panels[p][0] - 4,
              escape(captions[p])));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">seconds of the ramp: %d</text>%n",
            w / 2 - 60,
            h - 12,
            rows.size()));
    line(svg, rows, fx, left, panels[0], maxRate, "#999", x -> (double) x.offered());
    line(svg, rows, fx, left, panels[0], maxRate, "#59a14f", x -> (double) x.goodput());
    line(svg, rows, fx, left, panels[0], maxRate, "#4e79a7", x -> (double) x.refused());
    line(svg, rows, fx, left, panels[0], maxRate, "#e15759", x -> (double) x.unavailable());
    line(svg, rows, fx, left, panels[0], maxRate, "#000", x -> (double) x.otherErrors());
    line(svg, rows, fx, left, panels[1], 1, "#b07aa1", x -> x.share(x.qualityFactor()));
    line(svg, rows, fx, left, panels[1], 1, "#e15759", x -> x.share(x.lastResort()));
    line(svg, rows, fx, left, panels[1], 1, "#f28e2b", x -> x.share(x.faultDegraded()));
    line(
        svg,
        rows,
        fx,
        left,
        panels[2],
        deadlineMs,
        "#4e79a7",
        x -> Double.isNaN(x.p99Ms()) ? Double.NaN : Math.min(deadlineMs, x.p99Ms()));
    return svg.append("</svg>\n").toString();
  }

  private static void line(
      StringBuilder svg,
      List<Second> rows,
      double fx,
      int left,
      int[] panel,
      double max,
      String color,
      java.util.function.ToDoubleFunction<Second> y) {
    StringBuilder pts = new StringBuilder();
    for (Second x : rows) {
      double v = y.applyAsDouble(x);
      if (Double.isNaN(v)) {
        continue;
      }
      pts.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f ",
              left + (x.second() + 0.5) * fx,
              panel[1] - Math.min(1, v / max) * (panel[1] - panel[0])));
    }
    svg.append("<polyline fill=\"none\" stroke=\"")
        .append(color)
        .append("\" points=\"")
        .append(pts)
        .append("\"/>\n");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
