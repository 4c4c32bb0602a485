package io.rankingcluster.core.snapshot;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsed {@code manifest.json} of one snapshot version: what files it holds (with sizes and
 * SHA-256), its row counts and dimensions, model versions and provenance. See
 * docs/snapshot-format.md.
 */
public record Manifest(
    int formatVersion,
    String version,
    Instant createdAt,
    List<FileEntry> files,
    Counts counts,
    Map<String, String> modelVersions,
    Map<String, String> provenance,
    List<FileEntry> derived) {

  /** The only format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  public static final String FILE_NAME = "manifest.json";

  /**
   * Version names are folder names: no separators, no leading dot (reserved for temporary folders).
   */
  static final Pattern VERSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  public Manifest {
    files = List.copyOf(files);
    derived = List.copyOf(derived);
    modelVersions = Collections.unmodifiableMap(new LinkedHashMap<>(modelVersions));
    provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
  }

  /**
   * One file of the snapshot: its path relative to the version folder ('/'-separated), size and
   * SHA-256.
   */
  public record FileEntry(String path, long bytes, String sha256) {}

  /** Row counts and dimensions; the data files must agree with them. */
  public record Counts(
      int items, int users, int itemEmbeddingDim, int userVectorDim, int i2iEdges) {}

  /** The entry for a path in {@link #files()}, or null. */
  public FileEntry file(String path) {
    for (FileEntry f : files) {
      if (f.path().equals(path)) {
        return f;
      }
    }
    return null;
  }

  /** Whether {@code name} may name a version (and so a folder under the snapshot root). */
  public static boolean isValidVersionName(String name) {
    return name != null && VERSION_NAME.matcher(name).matches() && !name.startsWith("CURRENT");
  }

  /**
   * Whether a manifest path is safe to resolve inside the version folder: relative, '/'-separated,
   * no "." or ".." segments, no leading dots; a manifest must never point outside its folder.
   */
  static boolean isSafePath(String path) {
    if (path.isEmpty() || path.length() > 255) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (!PATH_SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The manifest as JSON text (UTF-8 when written), keys in documented order. */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format_version", (long) formatVersion);
    root.put("version", version);
    root.put("created_at", createdAt.toString());
    root.put("files", entries(files));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("items", (long) counts.items());
    c.put("users", (long) counts.users());
    c.put("item_embedding_dim", (long) counts.itemEmbeddingDim());
    c.put("user_vector_dim", (long) counts.userVectorDim());
    c.put("i2i_edges", (long) counts.i2iEdges());
    root.put("counts", c);
    root.put("model_versions", new LinkedHashMap<String, Object>(modelVersions));
    root.put("provenance", new LinkedHashMap<String, Object>(provenance));
    root.put("derived", entries(derived));
    return ManifestJson.write(root);
  }

  private static List<Object> entries(List<FileEntry> list) {
    List<Object> out = new ArrayList<>();
    for (FileEntry f : list) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", f.path());
      m.put("bytes", f.bytes());
      m.put("sha256", f.sha256());
      out.add(m);
    }
    return out;
  }

  /**
   * Parses and checks a manifest's structure: required fields present with the right types, no
   * unknown fields (a typo must not pass silently), safe unique paths, well-formed checksums. The
   * format version is checked first, so that a newer manifest is refused by its version rather than
   * by its contents.
   */
  public static Manifest parse(String json) throws SnapshotException {
    Object parsed = ManifestJson.parse(json, FILE_NAME);
    if (!(parsed instanceof Map<?, ?> rootRaw)) {
      throw bad("the top level must be an object");
    }
    Map<?, ?> root = rootRaw;
    if (!root.containsKey("format_version")) {
      throw bad("format_version missing");
    }
    long format = integer(root, "format_version", "format_version");
    if (format != FORMAT_VERSION) {
      throw bad(
          "format_version "
              + format
              + " not supported (this reader supports "
              + FORMAT_VERSION
              + ")");
    }
    onlyKeys(
        root,
        "",
        Set.of(
            "format_version",
            "version",
            "created_at",
            "files",
            "counts",
            "model_versions",
            "provenance",
            "derived"));
    String version = string(root, "version", "version");
    if (!isValidVersionName(version)) {
      throw bad(
          "version \""
              + version
              + "\" is not a valid version name (letters, digits, '.', '_', '-';"
              + " not starting with '.' or \"CURRENT\")");
    }
    String createdText = string(root, "created_at", "created_at");
    Instant createdAt;
    try {
      createdAt = OffsetDateTime.parse(createdText).toInstant();
    } catch (DateTimeParseException e) {
      throw bad(
          "created_at \""
              + createdText
              + "\" is not an ISO-8601 date-time with offset (e.g. 2026-01-01T00:00:00Z)");
    }
    List<FileEntry> files = fileList(root.get("files"), "files", true);
    if (!(root.get("counts") instanceof Map<?, ?> countsMap)) {
      throw bad(root.containsKey("counts") ? "counts must be an object" : "counts missing");
    }
    onlyKeys(
        countsMap,
        "counts.",
        Set.of("items", "users", "item_embedding_dim", "user_vector_dim", "i2i_edges"));
    Counts counts =
        new Counts(
            count(countsMap, "items"),
            count(countsMap, "users"),
            count(countsMap, "item_embedding_dim"),
            count(countsMap, "user_vector_dim"),
            count(countsMap, "i2i_edges"));
    Map<String, String> models = stringMap(root.get("model_versions"), "model_versions");
    Map<String, String> provenance = stringMap(root.get("provenance"), "provenance");
    List<FileEntry> derived = fileList(root.get("derived"), "derived", false);
    Set<String> seen = new HashSet<>();
    for (FileEntry f : files) {
      seen.add(f.path());
    }
    for (FileEntry f : derived) {
      if (!seen.add(f.path())) {
        throw bad("derived path \"" + f.path() + "\" also listed in files");
      }
    }
    return new Manifest(
        (int) format, version, createdAt, files, counts, models, provenance, derived);
  }

  private static List<FileEntry> fileList(Object raw, String field, boolean required)
      throws SnapshotException {
    if (raw == null) {
      if (required) {
        throw bad(field + " missing");
      }
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw bad(field + " must be an array");
    }
    List<FileEntry> out = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = field + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw bad(where + " must be an object");
      }
      onlyKeys(m, where + ".", Set.of("path", "bytes", "sha256"));
      String path = string(m, "path", where + ".path");
      if (!isSafePath(path) || path.equals(FILE_NAME)) {
        throw bad(
            where
                + ".path \""
                + path
                + "\" is not a safe relative path (or names the manifest itself)");
      }
      if (!paths.add(path)) {
        throw bad(where + ".path \"" + path + "\" listed twice");
      }
      long bytes = integer(m, "bytes", where + ".bytes");
      if (bytes < 0) {
        throw bad(where + ".bytes is negative");
      }
      String sha = string(m, "sha256", where + ".sha256");
      if (!SHA256_HEX.matcher(sha).matches()) {
        throw bad(where + ".sha256 must be 64 lower-case hex digits");
      }
      out.add(new FileEntry(path, bytes, sha));
    }
    return out;
  }

  private static Map<String, String> stringMap(Object raw, String field) throws SnapshotException {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof Map<?, ?> m)) {
      throw bad(field + " must be an object of strings");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw bad(field + "." + e.getKey() + " must be a string");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static int count(Map<?, ?> counts, String key) throws SnapshotException {
    long v = integer(counts, key, "counts." + key);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw bad("counts." + key + " " + v + " outside [0, " + Integer.MAX_VALUE + "]");
    }
    return (int) v;
  }

  private static long integer(Map<?, ?> m, String key, String where) throws SnapshotException {
    Object v = m.get(key);
    if (v == null) {
      throw bad(where + " missing");
    }
    if (!(v instanceof Long l)) {
      throw bad(where + " must be an integer");
    }
    return l;
  }

  private static String string(Map<?, ?> m, String key, String where) throws SnapshotException {
    Object v = m.get(key);
    if (v == null) {
      throw bad(where + " missing");
    }
    if (!(v instanceof String s)) {
      throw bad(where + " must be a string");
    }
    return s;
  }

  private static void onlyKeys(Map<?, ?> m, String prefix, Set<String> allowed)
      throws SnapshotException {
    for (Object k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw bad("unknown field " + prefix + k);
      }
    }
  }

  private static SnapshotException bad(String problem) {
    return new SnapshotException(FILE_NAME + ": " + problem);
  }
}
