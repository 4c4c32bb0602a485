package io.rankingcluster.common.server;

import io.grpc.BindableService;
import io.rankingcluster.common.admin.AdminServiceImpl;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.common.snapshot.Versioned;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one service is, for the one start ({@link ServiceMain#run}): its name, its validated server
 * and snapshot configuration, how it builds its serving state from a snapshot version, and how it
 * assembles its gRPC service once the first version is loaded.
 *
 * @param name the service's name in logs and metrics ("rank-service")
 * @param server the server settings, with the service's own defaults filled in
 * @param data where the snapshots are and how they are followed
 * @param state the serving state of one snapshot version (built at start and on every swap)
 * @param assembly the gRPC service over that state, its warm-up and what closes with it
 * @param <D> the serving state
 */
public record ServiceSpec<D>(
    String name,
    ServerConfig server,
    SnapshotConfig data,
    SnapshotWatcher.StateBuilder<D> state,
    Assembly<D> assembly) {

  /** Builds the service once its first snapshot version is loaded. */
  @FunctionalInterface
  public interface Assembly<D> {
    Parts assemble(Loaded<D> loaded) throws Exception;
  }

  /**
   * What the start has made when the service is assembled: the watcher (not yet polling), metrics,
   * faults.
   */
  public record Loaded<D>(SnapshotWatcher<D> watcher, Telemetry telemetry, FaultInjector faults) {
    /** The serving state, swapped by the watcher. */
    public Versioned<D> versioned() {
      return watcher.versioned();
    }

    /**
     * --warmup-requests calls of {@code method}, call i built from the first snapshot's users (as
     * the mixer sends).
     */
    public <Q> WarmUp warmUp(io.grpc.MethodDescriptor<Q, ?> method, WarmUpRequest<Q> request) {
      return warmUp(method, n -> n, request);
    }

    /**
     * As above, {@code calls.applyAsInt(n)} calls for {@code n} warm-up requests (e.g. at least one
     * per model).
     */
    public <Q> WarmUp warmUp(
        io.grpc.MethodDescriptor<Q, ?> method,
        java.util.function.IntUnaryOperator calls,
        WarmUpRequest<Q> request) {
      io.rankingcluster.core.snapshot.Snapshot first = watcher.initial();
      return (managed, n) ->
          managed.warmUpCalls(
              method,
              calls.applyAsInt(n),
              i -> request.build(first.users(), first.userVectors(), i));
    }
  }

  /** Warm-up call {@code i}, shaped as the callers' calls, for the snapshot's users in turn. */
  @FunctionalInterface
  public interface WarmUpRequest<Q> {
    Q build(
        io.rankingcluster.core.user.UserProfiles users,
        io.rankingcluster.core.embed.Embeddings userVectors,
        int i);
  }

  /**
   * The assembled service: its gRPC implementation, what AdminService/ReloadConfig re-reads (null:
   * nothing), its warm-up (given the server and the number of --warmup-requests), and what must
   * close after the server stopped.
   */
  public record Parts(
      BindableService service,
      Supplier<AdminServiceImpl.ConfigReload> reload,
      WarmUp warmUp,
      List<AutoCloseable> closeables) {}

  /**
   * Sends warm-up calls through the server's private warm-up port ({@link
   * ManagedServer#warmUpCalls}).
   */
  @FunctionalInterface
  public interface WarmUp {
    void run(ManagedServer server, int requests);
  }
}
