package io.rankingcluster.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDK the services run on and the flags its version allows: the newest JDK 21+ found on the
 * machine when there is one (the vector module, and on 25+ the AOT cache), else the launcher's own
 * JDK 17, on which everything works, slower, with a dynamic CDS archive of the loaded classes
 * (docs/decisions/0015-jdk-runtime.md).
 */
record JavaRuntime(Path home, int feature, String origin) {
  /** The first feature release whose vector module the project's dot products use. */
  static final int VECTOR_FLOOR = 21;

  /** The first feature release with the one-step AOT cache (JEP 514, -XX:AOTCacheOutput). */
  static final int AOT_CACHE_FLOOR = 25;

  private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  /** The java launcher binary of this runtime. */
  Path java() {
    return home.resolve("bin").resolve("java");
  }

  /** Whether the services' dot products may use jdk.incubator.vector on this runtime. */
  boolean vectorModule() {
    return feature >= VECTOR_FLOOR;
  }

  /** The first feature release that writes a dynamic CDS archive at exit (JEP 350). */
  static final int DYNAMIC_CDS_FLOOR = 13;

  /** Whether this runtime can write and map an AOT cache of classes and method profiles. */
  boolean aotCache() {
    return feature >= AOT_CACHE_FLOOR;
  }

  /** One line for the operator: which JDK, why it was chosen, and what it switches on. */
  String describe() {
    List<String> on = new ArrayList<>();
    if (vectorModule()) {
      on.add("vector module");
    }
    if (aotCache()) {
      on.add("AOT cache");
    } else if (feature >= DYNAMIC_CDS_FLOOR) {
      on.add("CDS archive");
    }
    return "JDK "
        + feature
        + " at "
        + home
        + " ("
        + origin
        + (on.isEmpty()
            ? "; no faster paths below JDK " + VECTOR_FLOOR
            : "; " + String.join(", ", on))
        + ")";
  }

  /**
   * The JVM flags this runtime adds before the operator's --jvm-opts for {@code service}: the
   * vector module, and per service jar under {@code aotDir} an AOT cache (25+: classes, linked and
   * with method profiles) or else a dynamic CDS archive (13+: the classes the service loaded,
   * parsed and verified), written at the service's first clean exit and mapped by every later start
   * of the same jar, so that a restart spends less of its first seconds loading classes.
   */
  List<String> flags(String service, Path jar, Path aotDir) throws IOException {
    List<String> out = new ArrayList<>();
    if (vectorModule()) {
      out.add("--add-modules=jdk.incubator.vector");
    }
    if (feature < DYNAMIC_CDS_FLOOR) {
      return out;
    }
    Files.createDirectories(aotDir);
    // Keyed by the jar's size and time: a rebuilt jar gets a new archive instead of a mismatch the
    // JVM would only warn about and ignore.
    String key =
        Long.toHexString(Files.size(jar))
            + "-"
            + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
    if (aotCache()) {
      Path cache = aotDir.resolve(service + "-" + key + ".aot");
      out.add(Files.exists(cache) ? "-XX:AOTCache=" + cache : "-XX:AOTCacheOutput=" + cache);
    } else {
      // Keyed by the JDK too: an archive is only valid for the JVM that wrote it.
      Path archive = aotDir.resolve(service + "-" + key + "-jdk" + feature + ".jsa");
      out.add(
          Files.exists(archive)
              ? "-XX:SharedArchiveFile=" + archive
              : "-XX:ArchiveClassesAtExit=" + archive);
    }
    return out;
  }

  /** The launcher's own JDK. */
  static JavaRuntime current() {
    return new JavaRuntime(
        Path.of(System.getProperty("java.home")),
        Runtime.version().feature(),
        "the launcher's JDK");
  }

  /**
   * The runtime for {@code choice}: {@code auto} picks the newest JDK of at least {@link
   * #VECTOR_FLOOR} among $RANKING_JAVA_HOME, $JAVA_HOME and /usr/lib/jvm/*, else the launcher's
   * own; {@code current} is the launcher's own; anything else is a JDK home or its bin/java.
   *
   * @throws IllegalArgumentException naming the path when it is no JDK of at least 17
   */
  static JavaRuntime choose(String choice, Map<String, String> env, List<Path> searchRoots) {
    String c = choice == null ? "auto" : choice.trim();
    if (c.equals("current")) {
      return current();
    }
    if (!c.equals("auto")) {
      Path p = Path.of(c);
      Path home = p.endsWith(Path.of("bin", "java")) ? p.getParent().getParent() : p;
      int f =
          feature(home)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--java: " + c + " is no JDK (no release file with JAVA_VERSION)"));
      if (f < 17) {
        throw new IllegalArgumentException("--java: " + c + " is JDK " + f + "; 17 is the floor");
      }
      return new JavaRuntime(home, f, "--java");
    }
    List<JavaRuntime> found = new ArrayList<>();
    for (String var : List.of("RANKING_JAVA_HOME", "JAVA_HOME")) {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        Path home = Path.of(v);
        feature(home).ifPresent(f -> found.add(new JavaRuntime(home, f, "$" + var)));
      }
    }
    for (Path root : searchRoots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.list(root)) {
        s.sorted()
            .forEach(
                home ->
                    feature(home)
                        .ifPresent(f -> found.add(new JavaRuntime(home, f, "found in " + root))));
      } catch (IOException e) {
        // An unreadable directory holds no runtime we could start anyway.
      }
    }
    // The newest; on a tie the earlier source (max keeps the first of equals), so an explicit
    // variable wins over a directory scan.
    return found.stream()
        .filter(r -> r.feature() >= VECTOR_FLOOR && Files.isExecutable(r.java()))
        .max(Comparator.comparingInt(JavaRuntime::feature))
        .orElseGet(JavaRuntime::current);
  }

  /** The feature release of the JDK at {@code home}, from its release file. */
  static Optional<Integer> feature(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
      return Optional.empty();
    }
    try {
      Matcher m = VERSION.matcher(Files.readString(release));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Where {@code auto} looks besides the environment variables. */
  static List<Path> defaultSearchRoots() {
    // Debian and Ubuntu packages, the Temurin images, SDKMAN.
    return List.of(
        Path.of("/usr/lib/jvm"),
        Path.of("/opt/java"),
        Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"));
  }
}
