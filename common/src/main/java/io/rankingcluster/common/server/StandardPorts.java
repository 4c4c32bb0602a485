package io.rankingcluster.common.server;

import java.util.Map;

/**
 * The services' standard gRPC ports (the design's addresses; metrics on the port + 1000), by the
 * environment prefix of each service. {@code --port 0}, the flag's default, means the service's
 * standard port.
 */
public final class StandardPorts {
  private StandardPorts() {}

  public static final int MIXER = 9090;
  public static final int RECALL = 9091;
  public static final int PRERANK = 9092;
  public static final int RANK = 9093;

  private static final Map<String, Integer> BY_PREFIX =
      Map.of("MIXER", MIXER, "RECALL", RECALL, "PRERANK", PRERANK, "RANK", RANK);

  /**
   * The standard port of the service with environment prefix {@code prefix}, or 0 for an unknown
   * prefix.
   */
  public static int of(String prefix) {
    return BY_PREFIX.getOrDefault(prefix, 0);
  }
}
