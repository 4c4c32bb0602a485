package io.rankingcluster.common.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * The command every service main is: the shared server and snapshot flags, and its own options and
 * {@link ServiceSpec} in {@link #call()}, which ends in {@link ServiceMain#run}.
 */
public abstract class ServiceCommand implements Callable<Integer> {
  @Mixin protected ServerOptions server;
  @Mixin protected SnapshotOptions data;

  /**
   * The server settings of a stage: its standard port, 256 concurrent calls, a fixed limit (unless
   * flags say).
   */
  protected final ServerConfig stageServer(int standardPort) {
    return server.config().withServiceDefaults(standardPort, 0, -1);
  }
}
