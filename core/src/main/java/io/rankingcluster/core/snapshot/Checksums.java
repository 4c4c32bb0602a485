package io.rankingcluster.core.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of snapshot files (hex, lower case) and the size-then-checksum check of a manifest entry.
 */
final class Checksums {
  /** Mapping window for hashing; below 2 GiB, the limit of one mapping. */
  private static final long WINDOW = 1L << 30;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Checksums() {}

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] digest) {
    char[] out = new char[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 15];
      out[2 * i + 1] = HEX[digest[i] & 15];
    }
    return new String(out);
  }

  /** SHA-256 of a whole file, read through read-only mappings. */
  static String sha256(Path file) throws IOException {
    MessageDigest md = newSha256();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      for (long pos = 0; pos < size; pos += WINDOW) {
        md.update(ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(WINDOW, size - pos)));
      }
    }
    return hex(md.digest());
  }

  /**
   * Checks that a listed file exists, is a regular file inside the folder, and has the listed size
   * and SHA-256. Size first: a truncated file gets the clearer message and costs no hashing.
   */
  static void verify(Path dir, Manifest.FileEntry entry) throws SnapshotException {
    Path file = dir.resolve(entry.path());
    String name = entry.path();
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new SnapshotException(name + ": missing (listed in manifest.json)");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      // Symbolic links are refused too: a snapshot folder must be self-contained to be immutable.
      throw new SnapshotException(name + ": not a regular file");
    }
    try {
      long size = Files.size(file);
      if (size != entry.bytes()) {
        throw new SnapshotException(name + ": size " + size + ", manifest says " + entry.bytes());
      }
      String actual = sha256(file);
      if (!actual.equals(entry.sha256())) {
        throw new SnapshotException(
            name
                + ": checksum mismatch (sha256 "
                + actual
                + ", manifest says "
                + entry.sha256()
                + ")");
      }
    } catch (SnapshotException e) {
      throw e;
    } catch (IOException e) {
      throw new SnapshotException(name + ": cannot read: " + e.getMessage(), e);
    }
  }
}
