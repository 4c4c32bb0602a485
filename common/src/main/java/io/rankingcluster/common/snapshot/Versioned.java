package io.rankingcluster.common.snapshot;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A service's serving state for the current snapshot version, and for the previous version during a
 * grace period after a swap, so that a request pinned to the version it started with
 * (RequestContext snapshot_version) still finds it. Readers never block and never allocate: each
 * lookup is one volatile read of an immutable pair of {@link Entry entries}. Writers ({@link
 * SnapshotWatcher}) swap the pair atomically.
 */
public final class Versioned<T> {
  /** One loaded version and the state built from it. Immutable. */
  public static final class Entry<T> {
    private final String version;
    private final T state;

    Entry(String version, T state) {
      this.version = Objects.requireNonNull(version, "version");
      this.state = Objects.requireNonNull(state, "state");
    }

    public String version() {
      return version;
    }

    public T state() {
      return state;
    }

    /**
     * True when this entry answers a request pinned to {@code requested} with another version:
     * version skew. An empty (or null) request pins nothing, so it is never skew.
     */
    public boolean isSkewFor(String requested) {
      return requested != null && !requested.isEmpty() && !requested.equals(version);
    }

    @Override
    public String toString() {
      return version;
    }
  }

  /**
   * Current and previous entries; previous is null, or usable while nanoTime is before
   * previousUntil.
   */
  private record Slots<T>(Entry<T> current, Entry<T> previous, long previousUntilNanos) {}

  private final long graceNanos;
  private final LongSupplier nanoClock;
  private volatile Slots<T> slots;

  /**
   * A holder serving {@code state} of {@code version}; after a swap the old version stays for
   * {@code grace}.
   */
  public Versioned(String version, T state, Duration grace) {
    this(version, state, grace, System::nanoTime);
  }

  /** As {@link #Versioned(String, Object, Duration)} with an explicit clock (tests). */
  Versioned(String version, T state, Duration grace, LongSupplier nanoClock) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must be >= 0, was " + grace);
    }
    this.graceNanos = grace.toNanos();
    this.nanoClock = nanoClock;
    this.slots = new Slots<>(new Entry<>(version, state), null, 0);
  }

  /** A holder that never swaps (tests, tools): one version, no grace. */
  public static <T> Versioned<T> fixed(String version, T state) {
    return new Versioned<>(version, state, Duration.ZERO);
  }

  /** The current version: what a request that pins nothing uses. */
  public Entry<T> current() {
    return slots.current;
  }

  /**
   * The entry for {@code requested} if it is the current version, or the previous one still within
   * its grace period; otherwise the current entry, whose {@link Entry#isSkewFor} then says true.
   * Empty pins nothing.
   */
  public Entry<T> forVersion(String requested) {
    Slots<T> s = slots;
    if (requested == null || requested.isEmpty() || requested.equals(s.current.version)) {
      return s.current;
    }
    Entry<T> p = s.previous;
    if (p != null
        && requested.equals(p.version)
        && nanoClock.getAsLong() - s.previousUntilNanos < 0) {
      return p;
    }
    return s.current;
  }

  /** The previous version while it is still within its grace period, else null. */
  public Entry<T> previous() {
    Slots<T> s = slots;
    return s.previous != null && nanoClock.getAsLong() - s.previousUntilNanos < 0
        ? s.previous
        : null;
  }

  /**
   * Makes {@code state} of {@code version} current; the replaced current becomes the previous
   * version for the grace period (a previous one still in grace is dropped: at most two versions
   * are held). Returns the replaced entry.
   */
  public synchronized Entry<T> swap(String version, T state) {
    Slots<T> s = slots;
    Entry<T> next = new Entry<>(version, state);
    slots =
        graceNanos == 0
            ? new Slots<>(next, null, 0)
            : new Slots<>(next, s.current, nanoClock.getAsLong() + graceNanos);
    return s.current;
  }

  /**
   * Drops the previous version once its grace period is over, or at once with {@code force} (before
   * loading a third version beside two), so that its memory can be reclaimed. Returns the version
   * dropped, or null.
   */
  public synchronized String dropPrevious(boolean force) {
    Slots<T> s = slots;
    if (s.previous == null || (!force && nanoClock.getAsLong() - s.previousUntilNanos < 0)) {
      return null;
    }
    slots = new Slots<>(s.current, null, 0);
    return s.previous.version;
  }
}
