package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.io.LeWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * One snapshot data file being written: the project's little-endian writer, hashing with SHA-256 on
 * the way so the manifest's checksum costs no second read; {@link #finish()} fsyncs and gives the
 * manifest entry.
 */
final class SnapshotOutput extends LeWriter {
  private final String path;
  private final MessageDigest digest;

  /** Creates {@code dir/path}; the file must not exist yet (a temporary folder is always fresh). */
  static SnapshotOutput create(Path dir, String path) throws IOException {
    MessageDigest digest = Checksums.newSha256();
    FileChannel channel =
        FileChannel.open(
            dir.resolve(path), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new SnapshotOutput(channel, path, digest);
  }

  private SnapshotOutput(FileChannel channel, String path, MessageDigest digest) {
    super(channel, digest::update);
    this.path = path;
    this.digest = digest;
  }

  /** The fixed 32-byte header of items.bin, users.bin and i2i.bin. */
  void header(byte[] magic, int countA, int countB) throws IOException {
    bytes(magic);
    ints(new int[] {Manifest.FORMAT_VERSION, countA, countB, 0, 0, 0});
  }

  /** Flushes, fsyncs and closes; returns the manifest entry for the file. */
  Manifest.FileEntry finish() throws IOException {
    long bytes = sync();
    close();
    return new Manifest.FileEntry(path, bytes, Checksums.hex(digest.digest()));
  }
}
