package io.rankingcluster.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What each service accepts as environment variables, read from the services' own sources: every
 * picocli {@code @Option} of the service module plus the shared ServerOptions and SnapshotOptions
 * mixins, under the prefix its main class passes to {@code ServiceMain.execute}
 * (docs/decisions/0002). Read from the sources rather than the classes, so that this module depends
 * on no other and builds in seconds; the check asserts it found the options every service has, so a
 * change in how options are declared fails it rather than blinding it.
 *
 * @param name the module (= image = Deployment = Service = app.kubernetes.io/name label)
 * @param prefix the environment variable prefix, e.g. RECALL
 * @param defaults every option's variable and its documented default ("" when it has none)
 */
record ServiceOptions(String name, String prefix, Map<String, String> defaults) {
  static final List<String> SERVICES =
      List.of("mixer-service", "recall-service", "prerank-service", "rank-service");
  private static final List<String> SHARED =
      List.of(
          "common/src/main/java/io/rankingcluster/common/server/ServerOptions.java",
          "common/src/main/java/io/rankingcluster/common/server/SnapshotOptions.java",
          "common/src/main/java/io/rankingcluster/common/server/SnapshotConfig.java",
          "common/src/main/java/io/rankingcluster/common/server/StandardPorts.java");
  private static final Pattern PREFIX = Pattern.compile("ServiceMain\\.execute\\(\\s*\"([A-Z]+)\"");
  private static final Pattern NAMES = Pattern.compile("names\\s*=\\s*(\\{[^}]*\\}|\"[^\"]*\")");
  private static final Pattern LONG_NAME = Pattern.compile("\"(--[a-z0-9][a-z0-9-]*)\"");
  private static final Pattern DEFAULT = Pattern.compile("defaultValue\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern CONSTANT =
      Pattern.compile("defaultValue\\s*=\\s*(?:\\w+\\.)?([A-Z_]+)\\s*[,)]");

  /**
   * The variable an option reads, as EnvDefaults names it: RECALL + --max-inbound-bytes =
   * RECALL_MAX_INBOUND_BYTES.
   */
  static String variable(String prefix, String longName) {
    return prefix
        + "_"
        + longName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  static Map<String, ServiceOptions> read(Path root) {
    Map<String, ServiceOptions> out = new LinkedHashMap<>();
    for (String service : SERVICES) {
      String prefix = null;
      Map<String, String> defaults = new LinkedHashMap<>();
      try (Stream<Path> files = Files.walk(root.resolve(service).resolve("src/main/java"))) {
        List<Path> sources =
            Stream.concat(
                    files.filter(p -> p.toString().endsWith(".java")),
                    SHARED.stream().map(root::resolve))
                .toList();
        StringBuilder all = new StringBuilder();
        for (Path f : sources) {
          all.append(Files.readString(f)).append('\n');
        }
        for (Path f : sources) {
          String src = Files.readString(f);
          Matcher m = PREFIX.matcher(src);
          if (m.find()) {
            prefix = m.group(1);
          }
          for (String annotation : annotations(src)) {
            Matcher names = NAMES.matcher(annotation);
            if (!names.find()) {
              continue;
            }
            Matcher n = LONG_NAME.matcher(names.group(1));
            String longest = null;
            while (n.find()) {
              longest =
                  longest == null || n.group(1).length() > longest.length() ? n.group(1) : longest;
            }
            if (longest == null) {
              continue;
            }
            Matcher d = DEFAULT.matcher(annotation);
            String value = d.find() ? d.group(1) : "";
            Matcher c = CONSTANT.matcher(annotation);
            if (value.isEmpty() && c.find()) {
              value = constant(all.toString(), c.group(1));
            }
            defaults.put(longest, value);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (prefix == null) {
        throw new IllegalStateException(
            service + ": no ServiceMain.execute(\"PREFIX\", ...) found in its sources");
      }
      if ("0".equals(defaults.get("--port"))) {
        // --port 0 means the service's standard port (StandardPorts, by the service's prefix).
        Matcher standard =
            Pattern.compile("int " + prefix + " = (\\d+);")
                .matcher(text(root.resolve(SHARED.get(SHARED.size() - 1))));
        if (standard.find()) {
          defaults.put("--port", standard.group(1));
        }
      }
      Map<String, String> byVariable = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : defaults.entrySet()) {
        byVariable.put(variable(prefix, e.getKey()), e.getValue());
      }
      out.put(service, new ServiceOptions(service, prefix, Map.copyOf(byVariable)));
    }
    return out;
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of every @Option(...) annotation, parentheses balanced, string literals skipped. */
  private static List<String> annotations(String src) {
    List<String> out = new java.util.ArrayList<>();
    int from = 0;
    while ((from = src.indexOf("@Option(", from)) >= 0) {
      int i = from + "@Option(".length();
      int depth = 1;
      boolean inString = false;
      for (; i < src.length() && depth > 0; i++) {
        char ch = src.charAt(i);
        if (inString) {
          if (ch == '\\') {
            i++;
          } else if (ch == '"') {
            inString = false;
          }
        } else if (ch == '"') {
          inString = true;
        } else if (ch == '(') {
          depth++;
        } else if (ch == ')') {
          depth--;
        }
      }
      out.add(src.substring(from, i));
      from = i;
    }
    return out;
  }

  /** A String constant of the same source, e.g. DEFAULT_ROOT. */
  private static String constant(String src, String name) {
    Matcher m = Pattern.compile("String\\s+" + name + "\\s*=\\s*\"([^\"]*)\"").matcher(src);
    return m.find() ? m.group(1) : "";
  }

  boolean accepts(String variable) {
    return defaults.containsKey(variable);
  }

  /** The option's default as documented ("" when none). */
  String defaultOf(String variable) {
    return defaults.getOrDefault(variable, "");
  }

  String var(String option) {
    return prefix + "_" + option;
  }
}
