package io.rankingcluster.offline;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress and timings of a long command: each step prints when it starts and ends, long steps
 * report their progress on one updating line, and {@link #summary()} prints the per-step timings at
 * the end.
 */
public final class Steps {
  private final PrintStream out;
  private final List<String> names = new ArrayList<>();
  private final List<Double> seconds = new ArrayList<>();
  private String current;
  private long started;
  private long lastUpdate;

  public Steps(PrintStream out) {
    this.out = out;
  }

  public void start(String name) {
    current = name;
    started = System.nanoTime();
    lastUpdate = 0;
    out.printf(Locale.ROOT, "- %s ...%n", name);
  }

  /** Progress of the current step; printed at most every two seconds. */
  public void progress(long done, long total, String unit) {
    long now = System.nanoTime();
    if (done < total && now - lastUpdate < 2_000_000_000L) {
      return;
    }
    lastUpdate = now;
    out.printf(
        Locale.ROOT,
        "  %s: %d/%d %s (%.0f%%, %.1f s)%n",
        current,
        done,
        total,
        unit,
        100.0 * done / Math.max(1, total),
        (now - started) / 1e9);
  }

  public double end(String detail) {
    double s = (System.nanoTime() - started) / 1e9;
    names.add(current);
    seconds.add(s);
    out.printf(Locale.ROOT, "  done in %.1f s%s%n", s, detail.isEmpty() ? "" : ": " + detail);
    return s;
  }

  /** The per-step timings as a table (also returned, for reports). */
  public String summary() {
    StringBuilder sb = new StringBuilder("| step | seconds |\n|---|---:|\n");
    double total = 0;
    for (int i = 0; i < names.size(); i++) {
      sb.append(String.format(Locale.ROOT, "| %s | %.1f |%n", names.get(i), seconds.get(i)));
      total += seconds.get(i);
    }
    sb.append(String.format(Locale.ROOT, "| total | %.1f |%n", total));
    out.println();
    out.print(sb);
    return sb.toString();
  }
}
