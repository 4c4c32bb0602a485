package io.rankingcluster.common.snapshot;

import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotException;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hot swap of a service's snapshot: polls {@code root/CURRENT}; when it names another version,
 * loads and validates that version beside the serving one on a single background thread, builds the
 * service's state from it, and swaps it into a {@link Versioned} between requests. The replaced
 * version stays for the grace period. A version that fails (checksums, validation, or the service's
 * own state building) is refused, logged with the reason and counted, and the old one keeps
 * serving; it is not tried again until CURRENT is written again (a new version, or the same one
 * re-published, e.g. by {@code offline pin}).
 *
 * <p>The counters and {@link #currentVersion()} are for the metrics endpoint.
 */
public final class SnapshotWatcher<T> implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SnapshotWatcher.class.getName());

  /** Builds a service's serving state from a validated snapshot; throwing refuses the snapshot. */
  @FunctionalInterface
  public interface StateBuilder<T> {
    T build(Snapshot snapshot) throws Exception;
  }

  /** What one poll did. */
  public enum Outcome {
    /** CURRENT names the version being served. */
    UNCHANGED,
    /** A new version was loaded and now serves. */
    SWAPPED,
    /** CURRENT names a new version that failed to load; the old one keeps serving. */
    REFUSED,
    /** CURRENT still names the version refused before, unchanged since: not tried again. */
    STILL_REFUSED,
    /**
     * CURRENT itself could not be read (missing, unreadable, not a version name); nothing changed.
     */
    POLL_FAILED
  }

  private final String service;
  private final Path root;
  private final StateBuilder<T> builder;
  private final Duration pollInterval;
  private final Duration grace;
  private final Versioned<T> versioned;

  /** Serialises polls; not the object's monitor, so that close() never waits behind a long load. */
  private final Object pollLock = new Object();

  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong pollErrors = new AtomicLong();
  private volatile Snapshot initial;
  private volatile String lastRefusal = "";
  private volatile long lastSwapMillis = -1;
  private volatile boolean closed;
  // Only touched under pollLock.
  private String refusedKey;
  private String lastPollError;
  // Only touched under this object's monitor.
  private ScheduledThreadPoolExecutor timer;

  /**
   * Serves {@code initial} (already loaded and validated) at once; nothing polls until {@link
   * #start()}.
   *
   * @param service name for logs
   * @param root the snapshot root whose CURRENT is polled
   * @param initial the snapshot to serve first; kept for the warm-up until {@link #start()}
   * @param builder turns a snapshot into the service's serving state; its exceptions propagate from
   *     here
   * @param pollInterval time between polls; zero disables polling (the initial version serves for
   *     good)
   * @param grace how long a replaced version stays available to pinned requests
   */
  public SnapshotWatcher(
      String service,
      Path root,
      Snapshot initial,
      StateBuilder<T> builder,
      Duration pollInterval,
      Duration grace)
      throws Exception {
    if (pollInterval.isNegative() || grace.isNegative()) {
      throw new IllegalArgumentException(
          "poll interval and grace must be >= 0, were " + pollInterval + ", " + grace);
    }
    this.service = Objects.requireNonNull(service, "service");
    this.root = Objects.requireNonNull(root, "root");
    this.builder = Objects.requireNonNull(builder, "builder");
    this.pollInterval = pollInterval;
    this.grace = grace;
    this.initial = initial;
    this.versioned =
        new Versioned<>(
            initial.version(),
            Objects.requireNonNull(builder.build(initial), "state built from " + initial.version()),
            grace);
  }

  /** The state holder the service's handlers read. */
  public Versioned<T> versioned() {
    return versioned;
  }

  /**
   * The snapshot served first, for the warm-up before SERVING; null after {@link #start()}, so that
   * the parts of it the state does not keep can be reclaimed.
   */
  public Snapshot initial() {
    return initial;
  }

  /** Starts polling every poll interval on one daemon thread (nothing, if polling is disabled). */
  public synchronized void start() {
    initial = null;
    if (pollInterval.isZero() || timer != null || closed) {
      return;
    }
    timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, service + "-snapshot-watcher");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    long nanos = pollInterval.toNanos();
    // Fixed delay, not rate: a load longer than the interval must not queue polls behind it.
    timer.scheduleWithFixedDelay(this::pollQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
    LOG.info(
        () ->
            String.format(
                "%s: watching %s for new snapshots every %s (grace %s)",
                service, root, human(pollInterval), human(grace)));
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep watching.
      LOG.log(Level.WARNING, service + ": snapshot poll failed unexpectedly", e);
    }
  }

  /**
   * One poll, on the calling thread (the watcher's own, or a test's): reads CURRENT and, when it
   * names a new version, loads, validates, builds and swaps it. Polls never overlap.
   */
  public Outcome poll() {
    synchronized (pollLock) {
      return pollLocked();
    }
  }

  private Outcome pollLocked() {
    String dropped = versioned.dropPrevious(false);
    if (dropped != null) {
      LOG.info(() -> service + ": snapshot " + dropped + " released (grace period over)");
    }
    String name;
    String key;
    try {
      name = SnapshotReader.readCurrentName(root);
      // A re-publish rewrites CURRENT (a new file renamed into place): the same name, a new key.
      BasicFileAttributes a =
          Files.readAttributes(root.resolve("CURRENT"), BasicFileAttributes.class);
      key = name + "@" + a.lastModifiedTime() + "/" + a.fileKey();
      lastPollError = null;
    } catch (IOException e) {
      pollErrors.incrementAndGet();
      String message = e.getMessage();
      // Once per distinct problem: a root that stays broken must not fill the log every interval.
      if (!message.equals(lastPollError)) {
        LOG.warning(
            () ->
                service
                    + ": polling "
                    + root
                    + ": "
                    + message
                    + "; still serving "
                    + versioned.current().version());
      }
      lastPollError = message;
      return Outcome.POLL_FAILED;
    }
    String serving = versioned.current().version();
    if (name.equals(serving)) {
      refusedKey = null;
      return Outcome.UNCHANGED;
    }
    if (key.equals(refusedKey)) {
      return Outcome.STILL_REFUSED;
    }
    Versioned.Entry<T> held = versioned.previous();
    if (held != null && held.version().equals(name)) {
      // A rollback within the grace period: the version is still loaded (and was validated when it
      // was).
      versioned.swap(held.version(), held.state());
      swaps.incrementAndGet();
      lastSwapMillis = System.currentTimeMillis();
      refusedKey = null;
      LOG.info(
          () ->
              service
                  + ": snapshot "
                  + name
                  + " serving again (still loaded: no reload); "
                  + serving
                  + " stays for pinned requests during the grace period");
      return Outcome.SWAPPED;
    }
    // At most two versions in memory: a previous one still in grace goes before a third is loaded.
    String early = versioned.dropPrevious(true);
    if (early != null) {
      LOG.info(
          () ->
              service
                  + ": snapshot "
                  + early
                  + " released before its grace period ended, to load "
                  + name);
    }
    long t0 = System.nanoTime();
    String reason;
    try {
      Snapshot next = SnapshotReader.read(root.resolve(name));
      T state = builder.build(next);
      if (state == null) {
        throw new IllegalStateException("the service built no state from it");
      }
      versioned.swap(name, state);
      swaps.incrementAndGet();
      lastSwapMillis = System.currentTimeMillis();
      refusedKey = null;
      LOG.info(
          () ->
              String.format(
                  "%s: snapshot %s loaded in %.0f ms and serving; %s stays for pinned requests"
                      + " during the grace period",
                  service, name, (System.nanoTime() - t0) / 1e6, serving));
      return Outcome.SWAPPED;
    } catch (SnapshotException e) {
      reason = e.getMessage();
    } catch (OutOfMemoryError e) {
      // Loading beside the serving version needs memory for both; the serving one is intact.
      reason =
          "out of memory loading it beside "
              + serving
              + " (the heap must hold two versions during a swap)";
    } catch (Exception e) {
      reason = service + " could not build its state from it: " + e;
    }
    if (closed) {
      // Interrupted by close(): the version was abandoned, not found wanting.
      LOG.fine(() -> service + ": loading snapshot " + name + " abandoned at shutdown");
      return Outcome.UNCHANGED;
    }
    refused.incrementAndGet();
    refusedKey = key;
    String why = reason;
    lastRefusal = name + ": " + why;
    LOG.warning(
        () ->
            service
                + ": snapshot "
                + name
                + " in "
                + root
                + " refused, still serving "
                + serving
                + ": "
                + why);
    return Outcome.REFUSED;
  }

  /** The version now serving requests that pin none. */
  /**
   * Exports the watcher's state: {@code ranking_snapshot_info{version}} (1 for the version served),
   * {@code ranking_snapshot_swaps_total}, {@code ranking_snapshot_refusals_total} (versions
   * refused: bad checksums, validation, load errors) and {@code
   * ranking_snapshot_poll_errors_total}. Returns this.
   */
  public SnapshotWatcher<T> instrument(io.rankingcluster.common.metrics.Telemetry telemetry) {
    telemetry.info(
        "ranking.snapshot.info",
        "The snapshot version served (value 1)",
        () ->
            java.util.List.of(io.micrometer.core.instrument.Tags.of("version", currentVersion())));
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ranking.snapshot.swaps", this, w -> w.swapCount())
        .description("Snapshot versions swapped in since start")
        .register(telemetry.registry());
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ranking.snapshot.refusals", this, w -> w.refusedCount())
        .description("Snapshot versions refused (checksums, validation, load errors)")
        .register(telemetry.registry());
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ranking.snapshot.poll.errors", this, w -> w.pollErrorCount())
        .description("Polls of CURRENT that failed")
        .register(telemetry.registry());
    return this;
  }

  /** The snapshot root this watcher polls. */
  public Path root() {
    return root;
  }

  public String currentVersion() {
    return versioned.current().version();
  }

  /** Versions swapped in since start. */
  public long swapCount() {
    return swaps.get();
  }

  /** Versions refused since start (each counted once, not once per poll). */
  public long refusedCount() {
    return refused.get();
  }

  /** Polls that could not read CURRENT. */
  public long pollErrorCount() {
    return pollErrors.get();
  }

  /** "version: reason" of the last refused version, or empty. */
  public String lastRefusal() {
    return lastRefusal;
  }

  /** Wall-clock time of the last swap in ms since the epoch, or -1 before the first. */
  public long lastSwapMillis() {
    return lastSwapMillis;
  }

  /** Stops polling; a load in progress is interrupted. The serving state stays usable. */
  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
