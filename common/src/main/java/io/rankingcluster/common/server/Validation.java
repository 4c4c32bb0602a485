package io.rankingcluster.common.server;

/**
 * Fail-fast checks for configuration: a failed check stops start-up with a message naming the
 * setting.
 */
public final class Validation {
  private Validation() {}

  /** A configuration value is out of range or malformed. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(message);
    }
  }

  /** Parses "host:port", naming the option in the error. */
  public static java.net.InetSocketAddress hostPort(String option, String value) {
    int colon = value.lastIndexOf(':');
    require(
        colon > 0 && colon < value.length() - 1,
        option + " must be host:port, was '" + value + "'");
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(option + " has a non-numeric port in '" + value + "'");
    }
    require(port > 0 && port < 65536, option + " port must be in [1, 65535], was " + port);
    return java.net.InetSocketAddress.createUnresolved(value.substring(0, colon), port);
  }
}
