package io.rankingcluster.common.server;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option be set by an environment variable: {@code PREFIX_} plus the long option name in
 * upper snake case ({@code --max-inbound-bytes} of the recall service reads {@code
 * RECALL_MAX_INBOUND_BYTES}). A flag on the command line wins over the variable, which wins over
 * the documented default.
 */
public final class EnvDefaults implements IDefaultValueProvider {
  private final String prefix;
  private final Map<String, String> env;

  public EnvDefaults(String prefix, Map<String, String> env) {
    this.prefix = prefix;
    this.env = env;
  }

  /** The variable that sets an option, e.g. {@code RECALL_PORT} for {@code --port}. */
  public static String variableFor(String prefix, String longName) {
    return prefix
        + "_"
        + longName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option) {
      String value = env.get(variableFor(prefix, option.longestName()));
      if (value != null) {
        return value;
      }
      if (option.longestName().equals("--port") && StandardPorts.of(prefix) > 0) {
        return Integer.toString(
            StandardPorts.of(prefix)); // what --help shows, and --port 0 would mean
      }
    }
    return arg.defaultValue();
  }
}
