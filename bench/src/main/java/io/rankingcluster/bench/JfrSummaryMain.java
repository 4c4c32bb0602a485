package io.rankingcluster.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jfr-summary}: the part of a JFR recording a person reads to find a hot spot, as Markdown:
 * CPU use of the process, GC pauses, the methods with the most execution samples (self and
 * inclusive, so a slow caller shows up, not only the leaf it calls) and the sites that allocate the
 * most. Works on recordings made with {@code settings=profile} (JDK 17's jdk.jfr.consumer API; no
 * other tool needed).
 */
@Command(
    name = "jfr-summary",
    mixinStandardHelpOptions = true,
    description =
        "Summarise JFR recordings (CPU, GC, hot methods self and inclusive, allocation sites) as"
            + " Markdown.")
public final class JfrSummaryMain implements Callable<Integer> {
  @Parameters(
      paramLabel = "FILE.jfr",
      arity = "1..*",
      description = "Recordings; one section each.")
  List<Path> files;

  @Option(
      names = "--top",
      defaultValue = "15",
      description = "Rows per table (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--out", description = "Write the Markdown here instead of standard output.")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new JfrSummaryMain()).execute(args));
  }

  /** What one recording holds, counted. */
  static final class Summary {
    final Map<String, Long> self = new HashMap<>();
    final Map<String, Long> inclusive = new HashMap<>();
    final Map<String, Long> allocationBytes = new HashMap<>();
    long samples;
    long allocationTotal;
    double userCpuSum;
    double systemCpuSum;
    int cpuReadings;
    long gcPauses;
    Duration gcPauseTotal = Duration.ZERO;
    Duration gcPauseMax = Duration.ZERO;
    Instant first;
    Instant last;

    void sample(RecordedStackTrace stack) {
      if (stack == null || stack.getFrames().isEmpty()) {
        return;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1L, Long::sum);
      // A recursive method counts once per sample, so inclusive shares stay within 100%.
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (seen.add(n)) {
          inclusive.merge(n, 1L, Long::sum);
        }
      }
    }

    void allocation(RecordedEvent e) {
      RecordedStackTrace stack = e.getStackTrace();
      long weight = e.getLong("weight");
      allocationTotal += weight;
      String site = "?";
      if (stack != null) {
        for (RecordedFrame f : stack.getFrames()) {
          // The first frame outside the JDK's own array and collection plumbing names the site
          // worth changing.
          String n = name(f);
          site = n;
          if (!n.startsWith("java.") && !n.startsWith("jdk.")) {
            break;
          }
        }
      }
      allocationBytes.merge(site, weight, Long::sum);
    }

    void time(Instant t) {
      if (first == null || t.isBefore(first)) {
        first = t;
      }
      if (last == null || t.isAfter(last)) {
        last = t;
      }
    }
  }

  static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    String type = m.getType() == null ? "?" : m.getType().getName();
    return type + "." + m.getName();
  }

  static Summary read(Path file) throws IOException {
    Summary s = new Summary();
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        s.time(e.getStartTime());
        switch (type) {
          case "jdk.ExecutionSample" -> s.sample(e.getStackTrace());
          case "jdk.ObjectAllocationSample" -> s.allocation(e);
          case "jdk.CPULoad" -> {
            s.userCpuSum += e.getFloat("jvmUser");
            s.systemCpuSum += e.getFloat("jvmSystem");
            s.cpuReadings++;
          }
          case "jdk.GarbageCollection" -> {
            Duration pause = e.getDuration("sumOfPauses");
            s.gcPauses++;
            s.gcPauseTotal = s.gcPauseTotal.plus(pause);
            if (pause.compareTo(s.gcPauseMax) > 0) {
              s.gcPauseMax = pause;
            }
          }
          default -> {}
        }
      }
    }
    return s;
  }

  @Override
  public Integer call() throws IOException {
    StringBuilder md = new StringBuilder();
    for (Path f : files) {
      md.append(render(f.getFileName().toString(), read(f), top));
    }
    if (out != null) {
      Files.writeString(out, md.toString());
      System.out.println("wrote " + out);
    } else {
      PrintStream o = System.out;
      o.print(md);
    }
    return 0;
  }

  static String render(String title, Summary s, int top) {
    StringBuilder md = new StringBuilder();
    double seconds = s.first == null ? 0 : Duration.between(s.first, s.last).toMillis() / 1e3;
    md.append("### ").append(title).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Recorded %.0f s; JVM CPU (share of all cores, mean): user %.1f%%, system %.1f%%; GC:"
                + " %d collections, pauses %.1f ms in all, %.1f ms at most; %d execution"
                + " samples.%n%n",
            seconds,
            s.cpuReadings == 0 ? 0 : 100 * s.userCpuSum / s.cpuReadings,
            s.cpuReadings == 0 ? 0 : 100 * s.systemCpuSum / s.cpuReadings,
            s.gcPauses,
            s.gcPauseTotal.toNanos() / 1e6,
            s.gcPauseMax.toNanos() / 1e6,
            s.samples));
    table(md, "method (self)", s.self, s.samples, top, "samples");
    table(md, "method (inclusive: on the stack)", s.inclusive, s.samples, top, "samples");
    table(
        md,
        "allocation site (first frame outside java.* and jdk.*)",
        s.allocationBytes,
        s.allocationTotal,
        top,
        "MB");
    return md.toString();
  }

  private static void table(
      StringBuilder md, String what, Map<String, Long> counts, long total, int top, String unit) {
    List<Map.Entry<String, Long>> rows = new ArrayList<>(counts.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    md.append("| ").append(what).append(" | ").append(unit).append(" | share |\n|---|---:|---:|\n");
    for (Map.Entry<String, Long> r : rows.subList(0, Math.min(top, rows.size()))) {
      String value =
          unit.equals("MB")
              ? String.format(Locale.ROOT, "%.1f", r.getValue() / 1e6)
              : Long.toString(r.getValue());
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %s | %.1f%% |%n",
              r.getKey(),
              value,
              total == 0 ? 0 : 100.0 * r.getValue() / total));
    }
    md.append('\n');
  }
}
