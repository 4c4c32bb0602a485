package io.rankingcluster.core.snapshot;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.user.UserProfiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a snapshot version folder written in format version 1 by any tool, and refuses it (with a
 * {@link SnapshotException} naming the file and the problem) unless it is whole: manifest present
 * and supported, every listed file present with its listed size and SHA-256, and the files
 * consistent with each other and with the manifest's counts. Nothing is returned before everything
 * has been checked.
 */
public final class SnapshotReader {
  private SnapshotReader() {}

  /** Reads and validates {@code versionDir} (a folder {@code <root>/<version>}). */
  public static Snapshot read(Path versionDir) throws SnapshotException {
    Manifest m = readManifest(versionDir);
    String folder = versionDir.toAbsolutePath().normalize().getFileName() + "";
    if (!m.version().equals(folder)) {
      throw new SnapshotException(
          Manifest.FILE_NAME
              + ": version \""
              + m.version()
              + "\" but the folder is named \""
              + folder
              + "\"");
    }
    for (String required : Layout.REQUIRED) {
      if (m.file(required) == null) {
        throw new SnapshotException(Manifest.FILE_NAME + ": " + required + " not listed in files");
      }
    }
    // Every listed file, including ones this reader does not use: a snapshot is whole or refused.
    for (Manifest.FileEntry f : m.files()) {
      Checksums.verify(versionDir, f);
    }
    Manifest.Counts counts = m.counts();
    CategoryTree tree = readCategories(versionDir);
    Catalog catalog = readItems(versionDir, counts, tree.leafCount());
    UserProfiles users = readUsers(versionDir, counts);
    Embeddings itemEmbeddings =
        readEmbeddings(
            versionDir,
            Layout.ITEM_EMBEDDINGS,
            counts.items(),
            counts.itemEmbeddingDim(),
            "items",
            "item_embedding_dim");
    Embeddings userVectors =
        readEmbeddings(
            versionDir,
            Layout.USER_VECTORS,
            counts.users(),
            counts.userVectorDim(),
            "users",
            "user_vector_dim");
    ItemNeighbours neighbours = readNeighbours(versionDir, counts);
    Map<String, byte[]> models = new LinkedHashMap<>();
    for (Manifest.FileEntry f : m.files()) {
      String name = Layout.modelName(f.path());
      if (name != null) {
        models.put(name, readAll(versionDir, f.path()));
      }
    }
    return new Snapshot(
        m.version(),
        tree,
        catalog,
        users,
        itemEmbeddings,
        userVectors,
        neighbours,
        models,
        m.modelVersions(),
        m.provenance());
  }

  /** Reads the version that {@code root/CURRENT} names. */
  public static Snapshot readCurrent(Path root) throws SnapshotException {
    return read(root.resolve(readCurrentName(root)));
  }

  /** Parses {@code versionDir/manifest.json} without checking the files it lists. */
  public static Manifest readManifest(Path versionDir) throws SnapshotException {
    if (!Files.isDirectory(versionDir)) {
      throw new SnapshotException("snapshot folder " + versionDir + " does not exist");
    }
    Path file = versionDir.resolve(Manifest.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new SnapshotException("no manifest.json in " + versionDir);
    }
    return Manifest.parse(utf8(readAll(versionDir, Manifest.FILE_NAME), Manifest.FILE_NAME));
  }

  /** The version name in {@code root/CURRENT} (one line, the trailing newline optional). */
  public static String readCurrentName(Path root) throws SnapshotException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(root.resolve(Layout.CURRENT));
    } catch (NoSuchFileException e) {
      throw new SnapshotException("no CURRENT in " + root);
    } catch (IOException e) {
      throw new SnapshotException("CURRENT: cannot read: " + e.getMessage(), e);
    }
    String text = utf8(bytes, Layout.CURRENT);
    String name = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (!Manifest.isValidVersionName(name)) {
      throw new SnapshotException(
          "CURRENT in " + root + ": \"" + name + "\" is not a version name");
    }
    return name;
  }

  private static Catalog readItems(Path dir, Manifest.Counts counts, int leaves)
      throws SnapshotException {
    String f = Layout.ITEMS;
    Catalog.Builder b;
    try (SnapshotInput in = new SnapshotInput(dir, f)) {
      int[] h = in.header(Layout.ITEMS_MAGIC);
      int n = h[0];
      if (n != counts.items()) {
        throw new SnapshotException(
            f + ": " + n + " rows, manifest counts.items says " + counts.items());
      }
      if (h[1] != leaves) {
        throw new SnapshotException(
            f
                + ": header says "
                + h[1]
                + " categories, "
                + Layout.CATEGORIES
                + " has "
                + leaves
                + " leaves");
      }
      // 8-byte columns: ids, sellers, created; 4-byte: categories, prices, masks, linked, 4
      // counters, watch;
      // 2-byte: live start and duration; 1-byte: kinds, in stock. Each padded to 8.
      long expected =
          SnapshotInput.HEADER_BYTES
              + 3 * io.rankingcluster.core.io.LeReader.padded(n, 8)
              + 9 * io.rankingcluster.core.io.LeReader.padded(n, 4)
              + 2 * io.rankingcluster.core.io.LeReader.padded(n, 2)
              + 2 * io.rankingcluster.core.io.LeReader.padded(n, 1);
      in.expectSize(expected, n + " rows");
      b = new Catalog.Builder(n, leaves);
      in.read(b.ids);
      in.pad8();
      in.read(b.kinds);
      in.pad8();
      in.read(b.sellers);
      in.pad8();
      in.read(b.categories);
      in.pad8();
      in.read(b.prices);
      in.pad8();
      in.read(b.createdMs);
      in.pad8();
      in.read(b.liveStartMinute);
      in.pad8();
      in.read(b.liveDurationMinutes);
      in.pad8();
      in.read(b.countryMasks);
      in.pad8();
      in.read(b.linkedProductRow);
      in.pad8();
      byte[] stock = in.bytes(n);
      in.pad8();
      in.read(b.impressions);
      in.pad8();
      in.read(b.clicks);
      in.pad8();
      in.read(b.purchases);
      in.pad8();
      in.read(b.carts);
      in.pad8();
      in.read(b.watchSeconds);
      for (int i = 0; i < n; i++) {
        String item = f + ": row " + i + " (item " + Long.toUnsignedString(b.ids[i]) + "): ";
        if (ItemKind.ofCode(b.kinds[i]) == null) {
          throw new SnapshotException(
              item + "kind " + b.kinds[i] + " is not 1 (product), 2 (video) or 3 (live stream)");
        }
        if (b.categories[i] < 0 || b.categories[i] >= leaves) {
          throw new SnapshotException(
              item + "category " + b.categories[i] + " outside [0, " + leaves + ")");
        }
        if (b.linkedProductRow[i] < -1 || b.linkedProductRow[i] >= n) {
          throw new SnapshotException(
              item + "linked product row " + b.linkedProductRow[i] + " outside [-1, " + n + ")");
        }
        if (b.liveStartMinute[i] < -1 || b.liveStartMinute[i] >= 1440) {
          throw new SnapshotException(
              item + "live start minute " + b.liveStartMinute[i] + " outside [-1, 1440)");
        }
        if (b.liveDurationMinutes[i] < 0 || b.liveDurationMinutes[i] > 1440) {
          throw new SnapshotException(
              item + "live duration " + b.liveDurationMinutes[i] + " outside [0, 1440]");
        }
        if (stock[i] != 0 && stock[i] != 1) {
          throw new SnapshotException(item + "in_stock " + stock[i] + " is not 0 or 1");
        }
        b.inStock[i] = stock[i] == 1;
      }
    }
    List<String> titles = Layout.lines(readAll(dir, Layout.TITLES), Layout.TITLES);
    if (titles.size() != b.ids.length) {
      throw new SnapshotException(
          Layout.TITLES + ": " + titles.size() + " lines, " + f + " has " + b.ids.length + " rows");
    }
    titles.toArray(b.titles);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // Duplicate ids (from the id index) are the one problem left for the builder to find.
      throw new SnapshotException(f + ": " + e.getMessage(), e);
    }
  }

  private static CategoryTree readCategories(Path dir) throws SnapshotException {
    String f = Layout.CATEGORIES;
    List<String> lines = Layout.lines(readAll(dir, f), f);
    if (lines.isEmpty()) {
      throw new SnapshotException(f + ": no categories (at least one parent with one leaf)");
    }
    String[] parents = new String[lines.size()];
    String[][] leaves = new String[lines.size()][];
    int perParent = -1;
    for (int p = 0; p < lines.size(); p++) {
      String[] cells = lines.get(p).split("\t", -1);
      if (cells.length < 2) {
        throw new SnapshotException(
            f + ": line " + (p + 1) + " has no leaf (parent TAB leaf TAB leaf ...)");
      }
      if (perParent >= 0 && cells.length - 1 != perParent) {
        throw new SnapshotException(
            f
                + ": line "
                + (p + 1)
                + " has "
                + (cells.length - 1)
                + " leaves, line 1 has "
                + perParent
                + " (every parent needs the same number)");
      }
      perParent = cells.length - 1;
      parents[p] = cells[0];
      leaves[p] = Arrays.copyOfRange(cells, 1, cells.length);
    }
    return new CategoryTree(parents, leaves);
  }

  private static UserProfiles readUsers(Path dir, Manifest.Counts counts) throws SnapshotException {
    String f = Layout.USERS;
    byte[] countries;
    int[] offsets;
    long[] recent;
    int n;
    try (SnapshotInput in = new SnapshotInput(dir, f)) {
      int[] h = in.header(Layout.USERS_MAGIC);
      n = h[0];
      int m = h[1];
      if (n != counts.users()) {
        throw new SnapshotException(
            f + ": " + n + " users, manifest counts.users says " + counts.users());
      }
      in.expectSize(
          SnapshotInput.HEADER_BYTES
              + io.rankingcluster.core.io.LeReader.padded(n, 1)
              + io.rankingcluster.core.io.LeReader.padded(n + 1L, 4)
              + io.rankingcluster.core.io.LeReader.padded(m, 8),
          n + " users, " + m + " recent items");
      countries = in.bytes(n);
      in.pad8();
      offsets = in.ints(n + 1);
      in.pad8();
      recent = in.longs(m);
      checkOffsets(f, offsets, m, "recent items");
      for (int i = 0; i < n; i++) {
        if (countries[i] < -1 || countries[i] >= Catalog.COUNTRIES.length) {
          throw new SnapshotException(
              f
                  + ": user row "
                  + i
                  + " has country index "
                  + countries[i]
                  + ", outside [-1, "
                  + Catalog.COUNTRIES.length
                  + ")");
        }
      }
    }
    List<String> ids = Layout.lines(readAll(dir, Layout.USER_IDS), Layout.USER_IDS);
    if (ids.size() != n) {
      throw new SnapshotException(
          Layout.USER_IDS + ": " + ids.size() + " lines, " + f + " has " + n + " users");
    }
    int[] country = new int[n];
    long[][] perUser = new long[n][];
    for (int i = 0; i < n; i++) {
      country[i] = countries[i];
      perUser[i] = Arrays.copyOfRange(recent, offsets[i], offsets[i + 1]);
    }
    try {
      return new UserProfiles(ids.toArray(new String[0]), country, perUser);
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(Layout.USER_IDS + ": " + e.getMessage(), e);
    }
  }

  private static Embeddings readEmbeddings(
      Path dir, String f, int rows, int dim, String rowsName, String dimName)
      throws SnapshotException {
    try (SnapshotInput in = new SnapshotInput(dir, f)) {
      long floats = (long) rows * dim;
      in.expectSize(
          floats * 4,
          "counts." + rowsName + " " + rows + " x counts." + dimName + " " + dim + " x 4");
      if (floats > Integer.MAX_VALUE - 8) {
        throw new SnapshotException(f + ": " + floats + " floats, more than one Java array holds");
      }
      float[] data = in.floats((int) floats);
      for (int i = 0; i < data.length; i++) {
        if (!Float.isFinite(data[i])) {
          throw new SnapshotException(
              f + ": row " + (i / dim) + " has a non-finite value (" + data[i] + ")");
        }
      }
      return new Embeddings(rows, dim, data);
    }
  }

  private static ItemNeighbours readNeighbours(Path dir, Manifest.Counts counts)
      throws SnapshotException {
    String f = Layout.I2I;
    try (SnapshotInput in = new SnapshotInput(dir, f)) {
      int[] h = in.header(Layout.I2I_MAGIC);
      int rows = h[0];
      int edges = h[1];
      if (rows != counts.items()) {
        throw new SnapshotException(
            f + ": " + rows + " rows, manifest counts.items says " + counts.items());
      }
      if (edges != counts.i2iEdges()) {
        throw new SnapshotException(
            f + ": " + edges + " edges, manifest counts.i2i_edges says " + counts.i2iEdges());
      }
      in.expectSize(
          SnapshotInput.HEADER_BYTES
              + io.rankingcluster.core.io.LeReader.padded(rows + 1L, 4)
              + io.rankingcluster.core.io.LeReader.padded(edges, 8)
              + io.rankingcluster.core.io.LeReader.padded(edges, 4),
          rows + " rows, " + edges + " edges");
      int[] offsets = in.ints(rows + 1);
      in.pad8();
      long[] ids = in.longs(edges);
      in.pad8();
      float[] weights = in.floats(edges);
      checkOffsets(f, offsets, edges, "edges");
      for (int i = 0; i < edges; i++) {
        if (!Float.isFinite(weights[i])) {
          throw new SnapshotException(f + ": weight " + i + " is not finite (" + weights[i] + ")");
        }
      }
      return new ItemNeighbours(offsets, ids, weights);
    }
  }

  /** CSR offsets: start at 0, never decrease, end at the element count. */
  private static void checkOffsets(String f, int[] offsets, int total, String what)
      throws SnapshotException {
    if (offsets[0] != 0) {
      throw new SnapshotException(f + ": offsets[0] is " + offsets[0] + ", must be 0");
    }
    for (int i = 1; i < offsets.length; i++) {
      if (offsets[i] < offsets[i - 1]) {
        throw new SnapshotException(
            f
                + ": offsets decrease at row "
                + (i - 1)
                + " ("
                + offsets[i - 1]
                + " then "
                + offsets[i]
                + ")");
      }
    }
    if (offsets[offsets.length - 1] != total) {
      throw new SnapshotException(
          f
              + ": offsets end at "
              + offsets[offsets.length - 1]
              + ", header says "
              + total
              + " "
              + what);
    }
  }

  private static byte[] readAll(Path dir, String path) throws SnapshotException {
    try {
      return Files.readAllBytes(dir.resolve(path));
    } catch (IOException e) {
      throw new SnapshotException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String utf8(byte[] bytes, String name) throws SnapshotException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SnapshotException(name + ": not valid UTF-8");
    }
  }
}
