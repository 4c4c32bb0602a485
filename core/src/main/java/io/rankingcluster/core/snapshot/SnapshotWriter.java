package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.user.UserProfiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link Snapshot} as {@code <root>/<version>/} in format version 1
 * (docs/snapshot-format.md): every data file into a fresh {@code <root>/.tmp-<version>-<random>/},
 * each fsync'd, the manifest last, then one atomic rename to {@code <root>/<version>/}. A version
 * folder therefore either is complete or does not exist. {@link #publish} then points {@code
 * CURRENT} at it, also by atomic rename.
 */
public final class SnapshotWriter {
  /**
   * Test seam: called after each file is complete (data files, then the manifest), before the
   * rename.
   */
  interface FileHook {
    void written(String path) throws IOException;
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Clock clock;
  private final FileHook hook;

  public SnapshotWriter() {
    this(Clock.systemUTC(), path -> {});
  }

  SnapshotWriter(Clock clock, FileHook hook) {
    this.clock = clock;
    this.hook = hook;
  }

  /**
   * Writes the snapshot as {@code root/<snapshot.version()>} and returns that folder; creates the
   * root if needed. Refuses a snapshot whose parts disagree (row counts, text with line breaks, bad
   * names) before writing anything, and refuses to replace an existing version folder: versions are
   * immutable.
   */
  public Path write(Path root, Snapshot snapshot) throws IOException {
    check(snapshot);
    String version = snapshot.version();
    Files.createDirectories(root);
    Path target = root.resolve(version);
    if (Files.exists(target)) {
      throw new SnapshotException(
          "version folder " + target + " already exists (versions are immutable)");
    }
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    Path tmp = root.resolve(Layout.TMP_PREFIX + version + "-" + HexFormat.of().formatHex(suffix));
    Files.createDirectory(tmp);
    try {
      List<Manifest.FileEntry> files = writeFiles(tmp, snapshot);
      Manifest manifest =
          new Manifest(
              Manifest.FORMAT_VERSION,
              version,
              // Whole milliseconds: enough to order versions, and every tool parses it.
              clock.instant().truncatedTo(ChronoUnit.MILLIS),
              files,
              new Manifest.Counts(
                  snapshot.catalog().size(),
                  snapshot.users().size(),
                  snapshot.itemEmbeddings().dimension(),
                  snapshot.userVectors().dimension(),
                  snapshot.itemNeighbours().neighbourIds.length),
              new TreeMap<>(snapshot.modelVersions()),
              new TreeMap<>(snapshot.provenance()),
              List.of());
      writeSmall(tmp, Manifest.FILE_NAME, manifest.toJson().getBytes(StandardCharsets.UTF_8));
      hook.written(Manifest.FILE_NAME);
      if (!snapshot.models().isEmpty()) {
        fsyncDirectory(tmp.resolve(Layout.MODELS_DIR));
      }
      fsyncDirectory(tmp);
      try {
        // rename(2) would also replace an empty folder that appeared meanwhile; a non-empty one
        // makes it fail.
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        throw new SnapshotException(
            "version folder " + target + " already exists (versions are immutable)", e);
      } catch (AtomicMoveNotSupportedException e) {
        throw new SnapshotException(
            "cannot rename " + tmp + " to " + target + " atomically: " + e.getMessage(), e);
      }
    } catch (Throwable t) {
      // A failed write leaves nothing behind; only a crash leaves a .tmp folder, which retention
      // removes.
      try {
        deleteTree(tmp);
      } catch (IOException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
    fsyncDirectory(root);
    return target;
  }

  /**
   * Points {@code root/CURRENT} at a complete version: writes {@code CURRENT.tmp-<random>}, fsyncs
   * it and renames it over CURRENT atomically, so readers see the old name or the new one, never a
   * torn file.
   */
  public void publish(Path root, String version) throws IOException {
    if (!Manifest.isValidVersionName(version)) {
      throw new SnapshotException("\"" + version + "\" is not a valid version name");
    }
    Path dir = root.resolve(version);
    if (!Files.isRegularFile(dir.resolve(Manifest.FILE_NAME))) {
      throw new SnapshotException(
          "cannot publish "
              + version
              + ": no manifest.json in "
              + dir
              + " (not a complete version)");
    }
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    // A unique temporary name: two publishers never write into each other's file.
    String tmpName = Layout.CURRENT + ".tmp-" + HexFormat.of().formatHex(suffix);
    Path tmp = root.resolve(tmpName);
    try {
      writeSmall(root, tmpName, (version + "\n").getBytes(StandardCharsets.UTF_8));
      Files.move(
          tmp,
          root.resolve(Layout.CURRENT),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    fsyncDirectory(root);
  }

  private List<Manifest.FileEntry> writeFiles(Path dir, Snapshot s) throws IOException {
    List<Manifest.FileEntry> files = new ArrayList<>();
    files.add(done(writeItems(dir, s.catalog())));
    files.add(done(writeLines(dir, Layout.TITLES, s.catalog().titles)));
    files.add(done(writeCategories(dir, s.categories())));
    files.add(done(writeUsers(dir, s.users())));
    String[] userIds = new String[s.users().size()];
    for (int i = 0; i < userIds.length; i++) {
      userIds[i] = s.users().userId(i);
    }
    files.add(done(writeLines(dir, Layout.USER_IDS, userIds)));
    files.add(done(writeFloats(dir, Layout.ITEM_EMBEDDINGS, s.itemEmbeddings())));
    files.add(done(writeFloats(dir, Layout.USER_VECTORS, s.userVectors())));
    files.add(done(writeNeighbours(dir, s.itemNeighbours())));
    if (!s.models().isEmpty()) {
      Files.createDirectory(dir.resolve(Layout.MODELS_DIR));
      // Sorted, so the same snapshot always yields the same manifest.
      for (Map.Entry<String, byte[]> m : new TreeMap<>(s.models()).entrySet()) {
        files.add(done(writeSmall(dir, Layout.modelPath(m.getKey()), m.getValue())));
      }
    }
    return files;
  }

  private Manifest.FileEntry done(Manifest.FileEntry entry) throws IOException {
    hook.written(entry.path());
    return entry;
  }

  private static Manifest.FileEntry writeItems(Path dir, Catalog c) throws IOException {
    try (SnapshotOutput out = SnapshotOutput.create(dir, Layout.ITEMS)) {
      out.header(Layout.ITEMS_MAGIC, c.size(), c.categoryCount);
      // Column order is the documented layout; pad8 after each keeps every column 8-byte aligned.
      out.longs(c.ids);
      out.pad8();
      out.bytes(c.kinds);
      out.pad8();
      out.longs(c.sellers);
      out.pad8();
      out.ints(c.categories);
      out.pad8();
      out.floats(c.prices);
      out.pad8();
      out.longs(c.createdMs);
      out.pad8();
      out.shorts(c.liveStartMinute);
      out.pad8();
      out.shorts(c.liveDurationMinutes);
      out.pad8();
      out.ints(c.countryMasks);
      out.pad8();
      out.ints(c.linkedProductRow);
      out.pad8();
      out.booleans(c.inStock);
      out.pad8();
      out.ints(c.impressions);
      out.pad8();
      out.ints(c.clicks);
      out.pad8();
      out.ints(c.purchases);
      out.pad8();
      out.ints(c.carts);
      out.pad8();
      out.floats(c.watchSeconds);
      out.pad8();
      return out.finish();
    }
  }

  private static Manifest.FileEntry writeUsers(Path dir, UserProfiles u) throws IOException {
    int n = u.size();
    byte[] countries = new byte[n];
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      countries[i] = (byte) u.country(i);
      offsets[i + 1] = Math.addExact(offsets[i], u.recentItems(i).length);
    }
    long[] recent = new long[offsets[n]];
    for (int i = 0; i < n; i++) {
      long[] r = u.recentItems(i);
      System.arraycopy(r, 0, recent, offsets[i], r.length);
    }
    try (SnapshotOutput out = SnapshotOutput.create(dir, Layout.USERS)) {
      out.header(Layout.USERS_MAGIC, n, recent.length);
      out.bytes(countries);
      out.pad8();
      out.ints(offsets);
      out.pad8();
      out.longs(recent);
      out.pad8();
      return out.finish();
    }
  }

  private static Manifest.FileEntry writeNeighbours(Path dir, ItemNeighbours nb)
      throws IOException {
    try (SnapshotOutput out = SnapshotOutput.create(dir, Layout.I2I)) {
      out.header(Layout.I2I_MAGIC, nb.rows(), nb.neighbourIds.length);
      out.ints(nb.offsets);
      out.pad8();
      out.longs(nb.neighbourIds);
      out.pad8();
      out.floats(nb.weights);
      out.pad8();
      return out.finish();
    }
  }

  private static Manifest.FileEntry writeFloats(Path dir, String name, Embeddings e)
      throws IOException {
    // No header and no padding: rows x dim float32 exactly, so numpy.fromfile and mmap work as they
    // are.
    try (SnapshotOutput out = SnapshotOutput.create(dir, name)) {
      out.floats(e.data());
      return out.finish();
    }
  }

  private static Manifest.FileEntry writeLines(Path dir, String name, String[] lines)
      throws IOException {
    try (SnapshotOutput out = SnapshotOutput.create(dir, name)) {
      for (String line : lines) {
        out.bytes((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return out.finish();
    }
  }

  private static Manifest.FileEntry writeCategories(Path dir, CategoryTree t) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int p = 0; p < t.parentCount(); p++) {
      sb.append(t.parentName(p));
      for (int j = 0; j < t.leavesPerParent(); j++) {
        sb.append('\t').append(t.leafName(p * t.leavesPerParent() + j));
      }
      sb.append('\n');
    }
    return writeSmall(dir, Layout.CATEGORIES, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static Manifest.FileEntry writeSmall(Path dir, String path, byte[] bytes)
      throws IOException {
    try (SnapshotOutput out = SnapshotOutput.create(dir, path)) {
      out.bytes(bytes);
      return out.finish();
    }
  }

  /**
   * Refuses, naming the file it would have gone into, a snapshot that would not read back as
   * itself.
   */
  static void check(Snapshot s) throws SnapshotException {
    if (s == null
        || s.version() == null
        || s.categories() == null
        || s.catalog() == null
        || s.users() == null
        || s.itemEmbeddings() == null
        || s.userVectors() == null
        || s.itemNeighbours() == null
        || s.models() == null
        || s.modelVersions() == null
        || s.provenance() == null) {
      throw new SnapshotException("snapshot: every component must be present (use empty ones)");
    }
    if (!Manifest.isValidVersionName(s.version())) {
      throw new SnapshotException(
          "snapshot: \""
              + s.version()
              + "\" is not a valid version name (letters,"
              + " digits, '.', '_', '-', at most 128, not starting with '.' or \"CURRENT\")");
    }
    Catalog c = s.catalog();
    CategoryTree t = s.categories();
    if (c.categoryCount != t.leafCount()) {
      throw new SnapshotException(
          Layout.ITEMS
              + ": catalog has "
              + c.categoryCount
              + " categories, the tree "
              + t.leafCount()
              + " leaves");
    }
    for (int i = 0; i < c.size(); i++) {
      String problem = Layout.lineProblem(c.titles[i]);
      if (problem != null) {
        throw new SnapshotException(
            Layout.TITLES
                + ": title of item "
                + Long.toUnsignedString(c.ids[i])
                + " (row "
                + i
                + ") "
                + problem);
      }
    }
    for (int p = 0; p < t.parentCount(); p++) {
      checkCategoryName(t.parentName(p));
      for (int j = 0; j < t.leavesPerParent(); j++) {
        checkCategoryName(t.leafName(p * t.leavesPerParent() + j));
      }
    }
    if (t.leavesPerParent() < 1) {
      throw new SnapshotException(Layout.CATEGORIES + ": every parent needs at least one leaf");
    }
    UserProfiles u = s.users();
    for (int i = 0; i < u.size(); i++) {
      String problem = Layout.lineProblem(u.userId(i));
      if (problem != null) {
        throw new SnapshotException(Layout.USER_IDS + ": user id at row " + i + " " + problem);
      }
      if (u.country(i) < -1 || u.country(i) >= Catalog.COUNTRIES.length) {
        throw new SnapshotException(
            Layout.USERS
                + ": user '"
                + u.userId(i)
                + "' has country index "
                + u.country(i)
                + ", outside [-1, "
                + Catalog.COUNTRIES.length
                + ")");
      }
    }
    rows(Layout.ITEM_EMBEDDINGS, s.itemEmbeddings().rows(), c.size(), "catalog rows");
    rows(Layout.USER_VECTORS, s.userVectors().rows(), u.size(), "users");
    rows(Layout.I2I, s.itemNeighbours().rows(), c.size(), "catalog rows");
    for (Map.Entry<String, byte[]> m : s.models().entrySet()) {
      if (m.getKey() == null || !Layout.MODEL_NAME.matcher(m.getKey()).matches()) {
        throw new SnapshotException(
            "models: name \""
                + m.getKey()
                + "\" is not a valid file name (letters,"
                + " digits, '.', '_', '-', not starting with '.' or '-')");
      }
      if (m.getValue() == null) {
        throw new SnapshotException(Layout.modelPath(m.getKey()) + ": no bytes");
      }
    }
    for (Map<String, String> map : List.of(s.modelVersions(), s.provenance())) {
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new SnapshotException(
              Manifest.FILE_NAME
                  + ": model versions and provenance need non-null keys"
                  + " and values");
        }
      }
    }
  }

  private static void checkCategoryName(String name) throws SnapshotException {
    String problem = Layout.lineProblem(name);
    if (problem == null && name.indexOf('\t') >= 0) {
      problem = "contains a tab";
    }
    if (problem != null) {
      throw new SnapshotException(
          Layout.CATEGORIES + ": category name \"" + name + "\" " + problem);
    }
  }

  private static void rows(String file, int rows, int expected, String what)
      throws SnapshotException {
    if (rows != expected) {
      throw new SnapshotException(file + ": " + rows + " rows, but " + expected + " " + what);
    }
  }

  /**
   * fsync of a folder makes the names in it (new files, a rename) durable. Best effort: some
   * platforms cannot open a folder for it, and there the rename's ordering is all we get.
   */
  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not supported here (for example on Windows); nothing more can be done portably.
    }
  }

  /** Deletes a folder tree, best effort (used on a failed write and by retention). */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> paths;
    try (var walk = Files.walk(dir)) {
      paths = new ArrayList<>(walk.toList());
    }
    // Children before parents.
    for (int i = paths.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(paths.get(i));
    }
  }
}
