package io.rankingcluster.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Writes one file as little-endian values and columns through a buffer, feeding every byte to a
 * digest on the way (SHA-256 for the snapshot's manifest, CRC-32C for the HNSW index), so the
 * checksum costs no second read. The one writer of the project's binary files. Not thread-safe.
 */
public class LeWriter implements AutoCloseable {
  /** Where the written bytes go besides the file (MessageDigest::update, CRC32C::update). */
  @FunctionalInterface
  public interface Digest {
    void update(byte[] bytes, int offset, int length);
  }

  private static final int BUFFER_BYTES = 1 << 16;

  private final FileChannel channel;
  private final Digest digest;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private long written;

  public LeWriter(FileChannel channel, Digest digest) {
    this.channel = channel;
    this.digest = digest;
  }

  /** Bytes written so far, buffered ones included. */
  public final long position() {
    return written + buf.position();
  }

  public final void putInt(int v) throws IOException {
    room(4);
    buf.putInt(v);
  }

  public final void putLong(long v) throws IOException {
    room(8);
    buf.putLong(v);
  }

  public final void bytes(byte[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(1);
      int n = Math.min(a.length - i, buf.remaining());
      buf.put(a, i, n);
      i += n;
    }
  }

  public final void booleans(boolean[] a) throws IOException {
    for (boolean v : a) {
      room(1);
      buf.put(v ? (byte) 1 : (byte) 0);
    }
  }

  public final void shorts(short[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(2);
      int n = Math.min(a.length - i, buf.remaining() / 2);
      buf.asShortBuffer().put(a, i, n);
      buf.position(buf.position() + n * 2);
      i += n;
    }
  }

  public final void ints(int[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(4);
      int n = Math.min(a.length - i, buf.remaining() / 4);
      buf.asIntBuffer().put(a, i, n);
      buf.position(buf.position() + n * 4);
      i += n;
    }
  }

  public final void longs(long[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(8);
      int n = Math.min(a.length - i, buf.remaining() / 8);
      buf.asLongBuffer().put(a, i, n);
      buf.position(buf.position() + n * 8);
      i += n;
    }
  }

  public final void floats(float[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(4);
      int n = Math.min(a.length - i, buf.remaining() / 4);
      buf.asFloatBuffer().put(a, i, n);
      buf.position(buf.position() + n * 4);
      i += n;
    }
  }

  /**
   * Zero bytes up to the next multiple of 8 from the start of the file, so every column is aligned.
   */
  public final void pad8() throws IOException {
    int pad = (int) ((8 - (position() & 7)) & 7);
    for (int i = 0; i < pad; i++) {
      room(1);
      buf.put((byte) 0);
    }
  }

  /** Writes the buffered bytes to the file and the digest. */
  public final void flush() throws IOException {
    buf.flip();
    digest.update(buf.array(), 0, buf.limit());
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    written += buf.limit();
    buf.clear();
  }

  /**
   * Flushes, then appends {@code v} outside the digest (a trailing checksum of what came before).
   */
  public final void trailer(long v) throws IOException {
    flush();
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).flip();
    while (b.hasRemaining()) {
      channel.write(b);
    }
    written += 8;
  }

  /** Flushes and syncs to disk; returns the file's length. */
  public final long sync() throws IOException {
    flush();
    channel.force(true);
    return written;
  }

  private void room(int bytes) throws IOException {
    if (buf.remaining() < bytes) {
      flush();
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
