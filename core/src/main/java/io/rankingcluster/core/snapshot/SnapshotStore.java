package io.rankingcluster.core.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One snapshot root folder: its complete versions, the {@code CURRENT} pointer, rollback and
 * retention. A version is complete when its folder holds a manifest.json; {@code .tmp-*} folders
 * are writes in progress or left by a crash, and are never versions.
 */
public final class SnapshotStore {
  /** A temporary folder untouched for this long is taken as left by a crashed writer. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(1);

  private final Path root;
  private final Duration staleAfter;
  private final Clock clock;
  private final SnapshotWriter writer = new SnapshotWriter();

  public SnapshotStore(Path root) {
    this(root, DEFAULT_STALE_AFTER, Clock.systemUTC());
  }

  /**
   * {@code staleAfter}: how old a {@code .tmp-*} folder must be before {@link #retain} deletes it;
   * a younger one may belong to a writer that is still running in another process.
   */
  public SnapshotStore(Path root, Duration staleAfter, Clock clock) {
    this.root = root;
    this.staleAfter = staleAfter;
    this.clock = clock;
  }

  public Path root() {
    return root;
  }

  /** The version CURRENT names, or empty when there is no CURRENT yet. */
  public Optional<String> current() throws SnapshotException {
    if (!Files.exists(root.resolve(Layout.CURRENT))) {
      return Optional.empty();
    }
    return Optional.of(SnapshotReader.readCurrentName(root));
  }

  /** A complete version with its creation time, as its manifest states it. */
  public record Version(String name, Instant createdAt) {}

  /**
   * Complete versions, oldest first by their manifests' created_at (then by name). A folder whose
   * manifest cannot be parsed is not listed: it is not something CURRENT could ever point at.
   */
  public List<Version> versions() throws IOException {
    List<Version> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!Manifest.isValidVersionName(name)
            || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
            || !Files.isRegularFile(dir.resolve(Manifest.FILE_NAME))) {
          continue;
        }
        try {
          Manifest m = SnapshotReader.readManifest(dir);
          if (m.version().equals(name)) {
            out.add(new Version(name, m.createdAt()));
          }
        } catch (SnapshotException e) {
          // Unreadable manifest: not a complete version; validate() on it says why.
        }
      }
    }
    out.sort(Comparator.comparing(Version::createdAt).thenComparing(Version::name));
    return out;
  }

  /** Names of {@link #versions()}, oldest first. */
  public List<String> versionNames() throws IOException {
    List<String> names = new ArrayList<>();
    for (Version v : versions()) {
      names.add(v.name());
    }
    return names;
  }

  /** Writes a snapshot as a new version (not yet current); returns its folder. */
  public Path write(Snapshot snapshot) throws IOException {
    return writer.write(root, snapshot);
  }

  /** Points CURRENT at a complete version (one with a manifest). */
  public void publish(String version) throws IOException {
    writer.publish(root, version);
  }

  /**
   * Rollback: points CURRENT at an existing version after validating it in full (checksums and
   * contents), since an older version may have been damaged since it was written. Returns the
   * validated snapshot.
   */
  public Snapshot pin(String version) throws IOException {
    if (!Manifest.isValidVersionName(version)) {
      throw new SnapshotException("\"" + version + "\" is not a valid version name");
    }
    Snapshot s = SnapshotReader.read(root.resolve(version));
    writer.publish(root, version);
    return s;
  }

  /** Reads the current version. */
  public Snapshot readCurrent() throws SnapshotException {
    return SnapshotReader.readCurrent(root);
  }

  /**
   * Deletes all complete versions but the newest {@code keep} and the current one, and temporary
   * folders and files older than the stale age. Folders that are neither versions nor temporary
   * (for example one a foreign tool is still filling in place) are left alone. Returns the names
   * deleted.
   */
  public List<String> retain(int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("retain: keep must be >= 1, was " + keep);
    }
    List<String> deleted = new ArrayList<>();
    String current = current().orElse(null);
    List<Version> versions = versions();
    for (int i = 0; i < versions.size() - keep; i++) {
      String name = versions.get(i).name();
      if (name.equals(current)) {
        continue;
      }
      // Renamed away first, so that no reader ever sees a version folder that is half deleted.
      Path doomed =
          root.resolve(
              Layout.TMP_PREFIX
                  + name
                  + "-deleting-"
                  + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
      Files.move(root.resolve(name), doomed, StandardCopyOption.ATOMIC_MOVE);
      SnapshotWriter.deleteTree(doomed);
      deleted.add(name);
    }
    Instant cutoff = clock.instant().minus(staleAfter);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        boolean temporary =
            name.startsWith(Layout.TMP_PREFIX) || name.startsWith(Layout.CURRENT + ".tmp");
        if (temporary && lastModified(p).isBefore(cutoff)) {
          SnapshotWriter.deleteTree(p);
          deleted.add(name);
        }
      }
    }
    SnapshotWriter.fsyncDirectory(root);
    return deleted;
  }

  /**
   * The newest modification time in a tree: a writer busy with one large file for a long time
   * changes that file's time, not its folder's, and must not be taken for stale.
   */
  private static Instant lastModified(Path p) throws IOException {
    Instant newest = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (var walk = Files.walk(p)) {
        for (Path q : (Iterable<Path>) walk::iterator) {
          Instant t = Files.getLastModifiedTime(q, LinkOption.NOFOLLOW_LINKS).toInstant();
          if (t.isAfter(newest)) {
            newest = t;
          }
        }
      }
    }
    return newest;
  }
}
