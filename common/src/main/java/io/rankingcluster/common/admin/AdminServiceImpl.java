package io.rankingcluster.common.admin;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.core.snapshot.SnapshotStore;
import io.rankingcluster.proto.v1.AdminServiceGrpc;
import io.rankingcluster.proto.v1.ClearFaultsRequest;
import io.rankingcluster.proto.v1.ClearFaultsResponse;
import io.rankingcluster.proto.v1.FaultRule;
import io.rankingcluster.proto.v1.PinSnapshotRequest;
import io.rankingcluster.proto.v1.PinSnapshotResponse;
import io.rankingcluster.proto.v1.ReloadConfigRequest;
import io.rankingcluster.proto.v1.ReloadConfigResponse;
import io.rankingcluster.proto.v1.ReloadSnapshotRequest;
import io.rankingcluster.proto.v1.ReloadSnapshotResponse;
import io.rankingcluster.proto.v1.SetFaultRequest;
import io.rankingcluster.proto.v1.SetFaultResponse;
import io.rankingcluster.proto.v1.SnapshotStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * ranking.v1.AdminService for one process: snapshot reload and pin (through its {@link
 * SnapshotWatcher}), fault rules (its {@link FaultInjector}) and configuration reload (a
 * service-specific hook). Registered by {@link io.rankingcluster.common.server.ManagedServer}
 * behind {@link AdminAuth}; every change is logged.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private static final Logger LOG = Logger.getLogger(AdminServiceImpl.class.getName());

  /** A configuration reload: returns whether settings changed, and a line saying what happened. */
  public record ConfigReload(boolean changed, String detail) {}

  private final SnapshotWatcher<?> watcher;
  private final FaultInjector faults;
  private final Supplier<ConfigReload> reloadConfig;

  /**
   * {@code watcher} null: no snapshot (FAILED_PRECONDITION); {@code reloadConfig} null: no config
   * files.
   */
  public AdminServiceImpl(
      SnapshotWatcher<?> watcher, FaultInjector faults, Supplier<ConfigReload> reloadConfig) {
    this.watcher = watcher;
    this.faults = faults;
    this.reloadConfig = reloadConfig;
  }

  @Override
  public void reloadSnapshot(
      ReloadSnapshotRequest request, StreamObserver<ReloadSnapshotResponse> out) {
    SnapshotWatcher<?> w = requireWatcher();
    SnapshotWatcher.Outcome outcome = w.poll();
    LOG.info(() -> "admin: snapshot reload -> " + outcome + ", serving " + w.currentVersion());
    out.onNext(ReloadSnapshotResponse.newBuilder().setStatus(status(w, outcome.name())).build());
    out.onCompleted();
  }

  @Override
  public void pinSnapshot(PinSnapshotRequest request, StreamObserver<PinSnapshotResponse> out) {
    SnapshotWatcher<?> w = requireWatcher();
    if (request.getVersion().isEmpty()) {
      throw Statuses.invalid("version", "required: a version folder of the snapshot root");
    }
    SnapshotStore store = new SnapshotStore(w.root());
    try {
      List<String> names = store.versions().stream().map(SnapshotStore.Version::name).toList();
      if (!names.contains(request.getVersion())) {
        throw Statuses.notFound(
            "version",
            "no complete version '"
                + request.getVersion()
                + "' in the snapshot root (have "
                + names
                + ")");
      }
      store.publish(request.getVersion());
    } catch (java.io.IOException e) {
      throw Status.FAILED_PRECONDITION
          .withDescription("version: cannot pin " + request.getVersion() + ": " + e.getMessage())
          .asRuntimeException();
    }
    SnapshotWatcher.Outcome outcome = w.poll();
    LOG.warning(() -> "admin: pinned snapshot " + request.getVersion() + " -> " + outcome);
    out.onNext(PinSnapshotResponse.newBuilder().setStatus(status(w, outcome.name())).build());
    out.onCompleted();
  }

  @Override
  public void setFault(SetFaultRequest request, StreamObserver<SetFaultResponse> out) {
    FaultRule r = request.getRule();
    if (r.getTarget().isEmpty()) {
      throw Statuses.invalid("rule.target", "required: a full method name, a service name or *");
    }
    Status.Code code = null;
    if (r.getAbortPercent() > 0) {
      try {
        code = Status.Code.valueOf(r.getAbortCode());
      } catch (IllegalArgumentException e) {
        throw Statuses.invalid(
            "rule.abort_code", "not a gRPC status name: '" + r.getAbortCode() + "'");
      }
    }
    try {
      faults.set(
          r.getTarget(),
          new FaultInjector.Rule(r.getDelayPercent(), r.getDelayMs(), r.getAbortPercent(), code));
    } catch (IllegalArgumentException e) {
      throw Statuses.invalid("rule", e.getMessage());
    }
    LOG.warning(() -> "admin: fault rule set: " + r.toString().replace('\n', ' '));
    out.onNext(SetFaultResponse.newBuilder().addAllRules(rules()).build());
    out.onCompleted();
  }

  @Override
  public void clearFaults(ClearFaultsRequest request, StreamObserver<ClearFaultsResponse> out) {
    if (request.getTarget().isEmpty()) {
      faults.clearAll();
    } else {
      faults.clear(request.getTarget());
    }
    LOG.warning(
        () ->
            "admin: fault rules cleared: "
                + (request.getTarget().isEmpty() ? "all" : request.getTarget()));
    out.onNext(ClearFaultsResponse.newBuilder().addAllRules(rules()).build());
    out.onCompleted();
  }

  @Override
  public void reloadConfig(ReloadConfigRequest request, StreamObserver<ReloadConfigResponse> out) {
    ConfigReload r =
        reloadConfig == null
            ? new ConfigReload(false, "this service reads no configuration file")
            : reloadConfig.get();
    LOG.info(() -> "admin: config reload: " + r.detail());
    out.onNext(
        ReloadConfigResponse.newBuilder().setChanged(r.changed()).setDetail(r.detail()).build());
    out.onCompleted();
  }

  private SnapshotWatcher<?> requireWatcher() {
    if (watcher == null) {
      throw Status.FAILED_PRECONDITION
          .withDescription("this process serves a fixed snapshot (no --snapshot-root watcher)")
          .asRuntimeException();
    }
    return watcher;
  }

  private static SnapshotStatus status(SnapshotWatcher<?> w, String outcome) {
    return SnapshotStatus.newBuilder()
        .setServingVersion(w.currentVersion())
        .setOutcome(outcome)
        .setSwaps(w.swapCount())
        .setRefusals(w.refusedCount())
        .setLastRefusal(w.lastRefusal() == null ? "" : w.lastRefusal())
        .build();
  }

  private List<FaultRule> rules() {
    return faults.rules().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                FaultRule.newBuilder()
                    .setTarget(e.getKey())
                    .setDelayPercent(e.getValue().delayPercent())
                    .setDelayMs((int) e.getValue().delayMs())
                    .setAbortPercent(e.getValue().abortPercent())
                    .setAbortCode(
                        e.getValue().abortCode() == null ? "" : e.getValue().abortCode().name())
                    .build())
        .toList();
  }
}
