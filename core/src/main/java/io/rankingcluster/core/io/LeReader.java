package io.rankingcluster.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;
import java.util.zip.Checksum;

/**
 * Reads one file as consecutive little-endian values and columns through read-only memory mappings
 * (no second buffer between the page cache and the Java arrays), with every read bounds-checked.
 * Mappings are taken in windows below 2 GiB, the limit of one mapping, so files of any size work.
 * The one reader of the project's binary files (the snapshot's columns, the HNSW index file); each
 * names its problems through its own exception type {@code E}. Not thread-safe.
 */
public class LeReader<E extends IOException> implements AutoCloseable {
  /** Window size: a multiple of every element width, below the 2 GiB mapping limit. */
  private static final long WINDOW = 1L << 30;

  private final String name;
  private final Function<String, E> errors;
  private final FileChannel channel;
  private final long size;
  private long pos;

  /**
   * Opens {@code file}; {@code errors} makes the exception for a problem ("cannot open: ...", "ends
   * at byte ..."); problems are prefixed with {@code name}.
   */
  public LeReader(Path file, String name, Function<String, E> errors) throws E {
    this.name = name;
    this.errors = errors;
    try {
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
      this.size = channel.size();
    } catch (IOException e) {
      throw error("cannot open: " + e.getMessage());
    }
  }

  /** The exception for {@code problem}, naming the file. */
  public final E error(String problem) {
    return errors.apply(name + ": " + problem);
  }

  public final String name() {
    return name;
  }

  public final long size() {
    return size;
  }

  public final long position() {
    return pos;
  }

  /** Checks that the file is exactly {@code expected} bytes, before any column is read. */
  public final void expectSize(long expected, String why) throws E {
    if (size != expected) {
      throw error(size + " bytes, expected " + expected + " (" + why + ")");
    }
  }

  /**
   * {@code length} bytes at {@code offset} (absolute; the position does not move), for a header.
   */
  public final ByteBuffer window(long offset, long length) throws E {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw error("ends at byte " + size + ", needs " + (offset + length));
    }
    try {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, offset, length)
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw error("cannot map: " + e.getMessage());
    }
  }

  /** Feeds bytes [{@code from}, {@code to}) to {@code checksum}, window by window. */
  public final void checksum(Checksum checksum, long from, long to) throws E {
    for (long at = from; at < to; at += WINDOW) {
      checksum.update(window(at, Math.min(WINDOW, to - at)));
    }
  }

  /** Moves to {@code offset}. */
  public final void seek(long offset) throws E {
    if (offset < 0 || offset > size) {
      throw error("offset " + offset + " outside the file's " + size + " bytes");
    }
    pos = offset;
  }

  public final int getInt() throws E {
    int v = window(pos, 4).getInt(0);
    pos += 4;
    return v;
  }

  public final long getLong() throws E {
    long v = window(pos, 8).getLong(0);
    pos += 8;
    return v;
  }

  public final byte[] bytes(int n) throws E {
    return read(new byte[n]);
  }

  public final int[] ints(int n) throws E {
    need(4L * n);
    return read(new int[n]);
  }

  public final long[] longs(int n) throws E {
    need(8L * n);
    return read(new long[n]);
  }

  public final float[] floats(int n) throws E {
    need(4L * n);
    return read(new float[n]);
  }

  // The read(array) forms fill arrays the caller already holds (a Catalog.Builder's columns), so
  // that a large
  // catalog is never held twice.

  public final byte[] read(byte[] out) throws E {
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

  public final short[] read(short[] out) throws E {
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

  public final int[] read(int[] out) throws E {
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

  public final long[] read(long[] out) throws E {
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

  public final float[] read(float[] out) throws E {
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
  public final void pad8() throws E {
    int pad = (int) ((8 - (pos & 7)) & 7);
    if (pad == 0) {
      return;
    }
    need(pad);
    ByteBuffer b = window(pos, pad);
    for (int i = 0; i < pad; i++) {
      if (b.get(i) != 0) {
        throw error("padding byte at offset " + (pos + i) + " is not zero");
      }
    }
    pos += pad;
  }

  /** Fails unless {@code bytes} more bytes follow the position. */
  public final void need(long bytes) throws E {
    if (bytes < 0 || size - pos < bytes) {
      throw error("ends at byte " + size + ", needs " + (pos + bytes));
    }
  }

  /**
   * The width of a column of {@code n} elements of {@code width} bytes, padded to a multiple of 8.
   */
  public static long padded(long n, int width) {
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
