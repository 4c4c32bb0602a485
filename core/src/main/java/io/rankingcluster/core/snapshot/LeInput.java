package io.rankingcluster.core.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads one snapshot file as consecutive little-endian columns through read-only memory mappings
 * (no second buffer between the page cache and the Java arrays). Mappings are taken in windows
 * below 2 GiB, the limit of one mapping, so files of any size work. Errors name the file.
 */
final class LeInput implements AutoCloseable {
  /** Window size: a multiple of every element width, below the 2 GiB mapping limit. */
  private static final long WINDOW = 1L << 30;

  static final int HEADER_BYTES = 32;

  private final String name;
  private final FileChannel channel;
  private final long size;
  private long pos;

  LeInput(Path dir, String name) throws SnapshotException {
    this.name = name;
    try {
      this.channel = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
      this.size = channel.size();
    } catch (IOException e) {
      throw new SnapshotException(name + ": cannot open: " + e.getMessage(), e);
    }
  }

  long size() {
    return size;
  }

  /**
   * Reads and checks the 32-byte header (magic, format version, two counts, zero reserved bytes);
   * returns the two counts.
   */
  int[] header(byte[] magic) throws SnapshotException {
    if (size < HEADER_BYTES) {
      throw new SnapshotException(
          name + ": " + size + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
    }
    ByteBuffer h = window(0, HEADER_BYTES);
    for (int i = 0; i < magic.length; i++) {
      if (h.get(i) != magic[i]) {
        throw new SnapshotException(
            name
                + ": bad magic (expected \""
                + new String(magic, StandardCharsets.US_ASCII).replace("\0", "\\0")
                + "\")");
      }
    }
    int format = h.getInt(8);
    if (format != Manifest.FORMAT_VERSION) {
      throw new SnapshotException(
          name
              + ": format version "
              + Integer.toUnsignedString(format)
              + " not supported (this reader supports "
              + Manifest.FORMAT_VERSION
              + ")");
    }
    int a = h.getInt(12);
    int b = h.getInt(16);
    // Counts index Java arrays (and n + 1 offsets), so they stay clear of the array size limit.
    int limit = Integer.MAX_VALUE - 8;
    if (a < 0 || a > limit || b < 0 || b > limit) {
      throw new SnapshotException(
          name
              + ": header count "
              + Integer.toUnsignedString(a < 0 || a > limit ? a : b)
              + " too large (at most "
              + limit
              + ")");
    }
    for (int i = 20; i < HEADER_BYTES; i++) {
      if (h.get(i) != 0) {
        throw new SnapshotException(name + ": reserved header byte " + i + " is not zero");
      }
    }
    pos = HEADER_BYTES;
    return new int[] {a, b};
  }

  /** Checks that the file is exactly {@code expected} bytes, before any column is read. */
  void expectSize(long expected, String why) throws SnapshotException {
    if (size != expected) {
      throw new SnapshotException(
          name + ": " + size + " bytes, expected " + expected + " (" + why + ")");
    }
  }

  byte[] bytes(int n) throws SnapshotException {
    return read(new byte[n]);
  }

  int[] ints(int n) throws SnapshotException {
    return read(new int[n]);
  }

  long[] longs(int n) throws SnapshotException {
    return read(new long[n]);
  }

  float[] floats(int n) throws SnapshotException {
    return read(new float[n]);
  }

  // The read(array) forms fill arrays the caller already holds (a Catalog.Builder's columns), so
  // that a
  // large catalog is never held twice.

  byte[] read(byte[] out) throws SnapshotException {
    int n = out.length;
    need(n);
    int done = 0;
    while (done < n) {
      int k = (int) Math.min(n - done, WINDOW);
      window(pos, k).get(out, done, k);
      pos += k;
      done += k;
    }
    return out;
  }

  short[] read(short[] out) throws SnapshotException {
    int n = out.length;
    need(n * 2L);
    int done = 0;
    while (done < n) {
      int k = (int) Math.min(n - done, WINDOW / 2);
      window(pos, k * 2L).asShortBuffer().get(out, done, k);
      pos += k * 2L;
      done += k;
    }
    return out;
  }

  int[] read(int[] out) throws SnapshotException {
    int n = out.length;
    need(n * 4L);
    int done = 0;
    while (done < n) {
      int k = (int) Math.min(n - done, WINDOW / 4);
      window(pos, k * 4L).asIntBuffer().get(out, done, k);
      pos += k * 4L;
      done += k;
    }
    return out;
  }

  long[] read(long[] out) throws SnapshotException {
    int n = out.length;
    need(n * 8L);
    int done = 0;
    while (done < n) {
      int k = (int) Math.min(n - done, WINDOW / 8);
      window(pos, k * 8L).asLongBuffer().get(out, done, k);
      pos += k * 8L;
      done += k;
    }
    return out;
  }

  float[] read(float[] out) throws SnapshotException {
    int n = out.length;
    need(n * 4L);
    int done = 0;
    while (done < n) {
      int k = (int) Math.min(n - done, WINDOW / 4);
      window(pos, k * 4L).asFloatBuffer().get(out, done, k);
      pos += k * 4L;
      done += k;
    }
    return out;
  }

  /**
   * Skips the zero padding to the next multiple of 8, checking that it is zero (one canonical
   * encoding).
   */
  void pad8() throws SnapshotException {
    int pad = (int) ((8 - (pos & 7)) & 7);
    if (pad == 0) {
      return;
    }
    need(pad);
    ByteBuffer b = window(pos, pad);
    for (int i = 0; i < pad; i++) {
      if (b.get(i) != 0) {
        throw new SnapshotException(
            name + ": padding byte at offset " + (pos + i) + " is not zero");
      }
    }
    pos += pad;
  }

  private void need(long bytes) throws SnapshotException {
    if (size - pos < bytes) {
      throw new SnapshotException(name + ": ends at byte " + size + ", needs " + (pos + bytes));
    }
  }

  private ByteBuffer window(long offset, long length) throws SnapshotException {
    try {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, offset, length)
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SnapshotException(name + ": cannot map: " + e.getMessage(), e);
    }
  }

  /**
   * The width of a column of {@code n} elements of {@code width} bytes, padded to a multiple of 8.
   */
  static long padded(long n, int width) {
    return (n * width + 7) & ~7L;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a read-only channel loses nothing; the data was already copied out.
    }
  }
}
