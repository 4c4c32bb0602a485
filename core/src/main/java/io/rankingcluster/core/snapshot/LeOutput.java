package io.rankingcluster.core.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Writes one snapshot file as little-endian columns through a buffer, hashing the bytes on the way
 * so that the manifest's SHA-256 costs no second read, and fsyncs on {@link #finish()}.
 */
final class LeOutput implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 16;

  private final String path;
  private final FileChannel channel;
  private final MessageDigest digest = Checksums.newSha256();
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private long written;

  /** Creates {@code dir/path}; the file must not exist yet (a temporary folder is always fresh). */
  LeOutput(Path dir, String path) throws IOException {
    this.path = path;
    this.channel =
        FileChannel.open(
            dir.resolve(path), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** The fixed 32-byte header of items.bin, users.bin and i2i.bin. */
  void header(byte[] magic, int countA, int countB) throws IOException {
    bytes(magic);
    ints(new int[] {Manifest.FORMAT_VERSION, countA, countB, 0, 0, 0});
  }

  void bytes(byte[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(1);
      int n = Math.min(a.length - i, buf.remaining());
      buf.put(a, i, n);
      i += n;
    }
  }

  void booleans(boolean[] a) throws IOException {
    for (boolean v : a) {
      room(1);
      buf.put(v ? (byte) 1 : (byte) 0);
    }
  }

  void shorts(short[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(2);
      int n = Math.min(a.length - i, buf.remaining() / 2);
      buf.asShortBuffer().put(a, i, n);
      buf.position(buf.position() + n * 2);
      i += n;
    }
  }

  void ints(int[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(4);
      int n = Math.min(a.length - i, buf.remaining() / 4);
      buf.asIntBuffer().put(a, i, n);
      buf.position(buf.position() + n * 4);
      i += n;
    }
  }

  void longs(long[] a) throws IOException {
    int i = 0;
    while (i < a.length) {
      room(8);
      int n = Math.min(a.length - i, buf.remaining() / 8);
      buf.asLongBuffer().put(a, i, n);
      buf.position(buf.position() + n * 8);
      i += n;
    }
  }

  void floats(float[] a) throws IOException {
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
  void pad8() throws IOException {
    long pos = written + buf.position();
    int pad = (int) ((8 - (pos & 7)) & 7);
    for (int i = 0; i < pad; i++) {
      room(1);
      buf.put((byte) 0);
    }
  }

  private void room(int bytes) throws IOException {
    if (buf.remaining() < bytes) {
      flush();
    }
  }

  private void flush() throws IOException {
    buf.flip();
    digest.update(buf.array(), 0, buf.limit());
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    written += buf.limit();
    buf.clear();
  }

  /** Flushes, fsyncs and closes; returns the manifest entry for the file. */
  Manifest.FileEntry finish() throws IOException {
    flush();
    channel.force(true);
    channel.close();
    return new Manifest.FileEntry(path, written, Checksums.hex(digest.digest()));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
