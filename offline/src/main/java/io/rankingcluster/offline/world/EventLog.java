package io.rankingcluster.offline.world;

/**
 * Every simulated impression and what followed it, in time order, as parallel primitive arrays:
 * user row, catalog row, time (seconds since the world's start), 1-based position, outcome flags
 * and watch seconds. This is the behaviour log that trainers learn from and that evaluation splits
 * by time.
 */
public final class EventLog {
  public static final byte CLICK = 1;
  public static final byte CART = 2;
  public static final byte PURCHASE = 4;

  private int size;
  private int[] users;
  private int[] items;
  private int[] times;
  private byte[] positions;
  private byte[] flags;
  private float[] watch;

  EventLog(int capacity) {
    users = new int[capacity];
    items = new int[capacity];
    times = new int[capacity];
    positions = new byte[capacity];
    flags = new byte[capacity];
    watch = new float[capacity];
  }

  void add(int user, int item, int timeSec, int position, byte flag, float watchSeconds) {
    if (size == users.length) {
      int cap = Math.max(16, size + (size >> 1));
      users = java.util.Arrays.copyOf(users, cap);
      items = java.util.Arrays.copyOf(items, cap);
      times = java.util.Arrays.copyOf(times, cap);
      positions = java.util.Arrays.copyOf(positions, cap);
      flags = java.util.Arrays.copyOf(flags, cap);
      watch = java.util.Arrays.copyOf(watch, cap);
    }
    users[size] = user;
    items[size] = item;
    times[size] = timeSec;
    positions[size] = (byte) position;
    flags[size] = flag;
    watch[size] = watchSeconds;
    size++;
  }

  /** Orders the events by time; events at the same second keep their order. */
  void sortByTime() {
    long[] keys = new long[size];
    for (int e = 0; e < size; e++) {
      keys[e] = ((long) times[e] << 32) | e;
    }
    java.util.Arrays.sort(keys);
    int[] u = new int[size];
    int[] it = new int[size];
    int[] t = new int[size];
    byte[] pos = new byte[size];
    byte[] fl = new byte[size];
    float[] w = new float[size];
    for (int j = 0; j < size; j++) {
      int e = (int) keys[j];
      u[j] = users[e];
      it[j] = items[e];
      t[j] = times[e];
      pos[j] = positions[e];
      fl[j] = flags[e];
      w[j] = watch[e];
    }
    users = u;
    items = it;
    times = t;
    positions = pos;
    flags = fl;
    watch = w;
  }

  /** Index of the first event at or after {@code timeSec} (events are in time order). */
  public int firstAtOrAfter(int timeSec) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < timeSec) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  public int size() {
    return size;
  }

  public int user(int e) {
    return users[e];
  }

  public int item(int e) {
    return items[e];
  }

  public int timeSec(int e) {
    return times[e];
  }

  public int position(int e) {
    return positions[e];
  }

  public boolean clicked(int e) {
    return (flags[e] & CLICK) != 0;
  }

  public boolean carted(int e) {
    return (flags[e] & CART) != 0;
  }

  public boolean purchased(int e) {
    return (flags[e] & PURCHASE) != 0;
  }

  public float watchSeconds(int e) {
    return watch[e];
  }

  /** Number of clicks in the log. */
  public int clicks() {
    int n = 0;
    for (int e = 0; e < size; e++) {
      n += flags[e] & CLICK;
    }
    return n;
  }
}
