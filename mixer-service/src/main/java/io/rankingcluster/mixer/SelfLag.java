package io.rankingcluster.mixer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * How late the mixer's own threads get to run: one daemon thread sleeps {@value #PERIOD_MS} ms at a
 * time and records how much later than asked it woke, the largest per tenth of a second over the
 * last second. When the process is starved (its CPU taken by its own load or by another process, a
 * GC pause, a queue of runnable threads) this grows with it; a stage's own slowness does not move
 * it. {@link Guard} reads it to tell a deadline the mixer missed itself from one the stage missed.
 */
final class SelfLag implements AutoCloseable {
  static final long PERIOD_MS = 5;
  private static final int SLOTS = 10;
  private static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static volatile SelfLag shared;

  /** Largest oversleep per slot of 100 ms, indexed by (time / 100 ms) % 10; with its slot time. */
  private final AtomicLongArray lateNanos = new AtomicLongArray(SLOTS);

  private final AtomicLongArray slotOf = new AtomicLongArray(SLOTS);
  private final Thread thread;
  private volatile boolean stop;

  private SelfLag() {
    thread = new Thread(this::run, "mixer-self-lag");
    thread.setDaemon(true);
    thread.start();
  }

  /** The process's probe, started on first use. */
  static SelfLag shared() {
    SelfLag s = shared;
    if (s == null) {
      synchronized (SelfLag.class) {
        s = shared;
        if (s == null) {
          s = new SelfLag();
          shared = s;
        }
      }
    }
    return s;
  }

  private void run() {
    long period = TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
    while (!stop) {
      long before = System.nanoTime();
      LockSupport.parkNanos(period);
      long after = System.nanoTime();
      record(after, Math.max(0, after - before - period));
    }
  }

  private void record(long now, long late) {
    long slot = now / SLOT_NANOS;
    int i = (int) (slot % SLOTS);
    if (slotOf.get(i) != slot) {
      slotOf.set(i, slot);
      lateNanos.set(i, late);
    } else if (late > lateNanos.get(i)) {
      lateNanos.set(i, late);
    }
  }

  /** The largest oversleep of the last second, in nanoseconds. */
  long recentNanos() {
    long slot = System.nanoTime() / SLOT_NANOS;
    long max = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slot - slotOf.get(i) < SLOTS) {
        max = Math.max(max, lateNanos.get(i));
      }
    }
    return max;
  }

  @Override
  public void close() {
    stop = true;
    LockSupport.unpark(thread);
  }
}
