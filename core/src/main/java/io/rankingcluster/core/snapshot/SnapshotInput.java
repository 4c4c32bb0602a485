package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.io.LeReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One snapshot data file being read: the project's little-endian reader plus the snapshot's 32-byte
 * header.
 */
final class SnapshotInput extends LeReader<SnapshotException> {
  static final int HEADER_BYTES = 32;

  SnapshotInput(Path dir, String name) throws SnapshotException {
    super(dir.resolve(name), name, SnapshotException::new);
  }

  /**
   * Reads and checks the 32-byte header (magic, format version, two counts, zero reserved bytes);
   * returns the two counts.
   */
  int[] header(byte[] magic) throws SnapshotException {
    if (size() < HEADER_BYTES) {
      throw error(size() + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
    }
    ByteBuffer h = window(0, HEADER_BYTES);
    for (int i = 0; i < magic.length; i++) {
      if (h.get(i) != magic[i]) {
        throw error(
            "bad magic (expected \""
                + new String(magic, StandardCharsets.US_ASCII).replace("\0", "\\0")
                + "\")");
      }
    }
    int format = h.getInt(8);
    if (format != Manifest.FORMAT_VERSION) {
      throw error(
          "format version "
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
      throw error(
          "header count "
              + Integer.toUnsignedString(a < 0 || a > limit ? a : b)
              + " too large (at most "
              + limit
              + ")");
    }
    for (int i = 20; i < HEADER_BYTES; i++) {
      if (h.get(i) != 0) {
        throw error("reserved header byte " + i + " is not zero");
      }
    }
    seek(HEADER_BYTES);
    return new int[] {a, b};
  }
}
