package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.rankingcluster.common.admin.AdminServiceImpl;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.SnapshotConfig;
import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.common.snapshot.TinySnapshots;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.proto.v1.AdminServiceGrpc;
import io.rankingcluster.proto.v1.ClearFaultsRequest;
import io.rankingcluster.proto.v1.FaultRule;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.PinSnapshotRequest;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.ReloadConfigRequest;
import io.rankingcluster.proto.v1.ReloadSnapshotRequest;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.SetFaultRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ranking.v1.AdminService behind its bearer token: snapshot reload and pin, fault rules, fault
 * headers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminServiceTest {
  static final String TOKEN = "s3cret-admin-token-0123456789";

  @TempDir Path root;
  @TempDir Path etc;

  private TestServer server;
  private ManagedChannel channel;
  private SnapshotWatcher<ShardData> watcher;

  private void start(boolean withToken, String... flags) throws Exception {
    TinySnapshots.publish(root, "v1");
    watcher =
        SnapshotConfig.parse("--snapshot-root=" + root, "--snapshot-poll-seconds=0")
            .watcher("recall-service", s -> ShardData.of(s, 0, 1));
    List<String> all = new java.util.ArrayList<>(List.of(TestServer.GENEROUS));
    if (withToken) {
      Path token = etc.resolve("admin-token");
      Files.writeString(token, TOKEN + "\n");
      all.add("--admin-token-file=" + token);
    }
    all.addAll(List.of(flags));
    ServerConfig options = ServerConfig.parse(all.toArray(new String[0]));
    FaultInjector faults = options.faultInjector();
    RecallServiceImpl impl = new RecallServiceImpl(watcher.versioned(), RecallConfig.defaults());
    server =
        TestServer.start(
                "recall-service",
                false,
                options,
                Telemetry.create("recall-service"),
                faults,
                List.of(impl, new AdminServiceImpl(watcher, faults, null)))
            .closeOnStop(watcher)
            .closeOnStop(impl::close);
    channel = server.channel();
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      server.close();
    }
  }

  private static Metadata bearer(String token) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return m;
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin(Metadata headers) {
    AdminServiceGrpc.AdminServiceBlockingStub s =
        AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    return headers == null
        ? s
        : s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private RecallServiceGrpc.RecallServiceBlockingStub recall(Metadata headers) {
    RecallServiceGrpc.RecallServiceBlockingStub s =
        RecallServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    return headers == null
        ? s
        : s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static final RecallRequest RECALL =
      RecallRequest.newBuilder().setContext(RequestContext.newBuilder().setUserId("3")).build();

  @Test
  void admin_withoutToken_unauthenticated_wrongToken_permissionDenied() throws Exception {
    start(true);
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        assertThrows(
                StatusRuntimeException.class,
                () -> admin(null).reloadSnapshot(ReloadSnapshotRequest.getDefaultInstance()))
            .getStatus()
            .getCode());
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        assertThrows(
                StatusRuntimeException.class,
                () ->
                    admin(bearer("guess-guess-guess-guess"))
                        .reloadSnapshot(ReloadSnapshotRequest.getDefaultInstance()))
            .getStatus()
            .getCode());
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        assertThrows(
                StatusRuntimeException.class,
                () -> admin(null).clearFaults(ClearFaultsRequest.getDefaultInstance()))
            .getStatus()
            .getCode());
  }

  @Test
  void admin_onServiceWithoutTokenFile_isDisabled() throws Exception {
    start(false);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> admin(bearer(TOKEN)).reloadSnapshot(ReloadSnapshotRequest.getDefaultInstance()));
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("--admin-token-file"));
  }

  @Test
  void admin_reloadAndPinSnapshot_swapAndRollBack() throws Exception {
    start(true);
    TinySnapshots.publish(root, "v2");
    var reloaded =
        admin(bearer(TOKEN)).reloadSnapshot(ReloadSnapshotRequest.getDefaultInstance()).getStatus();
    assertEquals("SWAPPED", reloaded.getOutcome());
    assertEquals("v2", recall(null).recall(RECALL).getSnapshotVersion());
    var pinned =
        admin(bearer(TOKEN))
            .pinSnapshot(PinSnapshotRequest.newBuilder().setVersion("v1").build())
            .getStatus();
    assertEquals("v1", pinned.getServingVersion());
    assertEquals("v1", recall(null).recall(RECALL).getSnapshotVersion(), "rolled back at once");
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                admin(bearer(TOKEN))
                    .pinSnapshot(PinSnapshotRequest.newBuilder().setVersion("v9").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("version"), e.getStatus().getDescription());
    assertEquals(
        false,
        admin(bearer(TOKEN)).reloadConfig(ReloadConfigRequest.getDefaultInstance()).getChanged());
  }

  @Test
  void admin_setFault_abortsOnlyThatMethod_clearRestores_badRuleRefused() throws Exception {
    start(true);
    var rules =
        admin(bearer(TOKEN))
            .setFault(
                SetFaultRequest.newBuilder()
                    .setRule(
                        FaultRule.newBuilder()
                            .setTarget("ranking.v1.RecallService/Recall")
                            .setAbortPercent(100)
                            .setAbortCode("UNAVAILABLE"))
                    .build());
    assertEquals(1, rules.getRulesCount());
    assertEquals(
        Status.Code.UNAVAILABLE,
        assertThrows(StatusRuntimeException.class, () -> recall(null).recall(RECALL))
            .getStatus()
            .getCode());
    recall(null)
        .getEmbeddings(
            GetEmbeddingsRequest.newBuilder()
                .setContext(RECALL.getContext())
                .build()); // unaffected
    admin(bearer(TOKEN)).clearFaults(ClearFaultsRequest.getDefaultInstance());
    assertEquals("v1", recall(null).recall(RECALL).getSnapshotVersion());
    StatusRuntimeException bad =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                admin(bearer(TOKEN))
                    .setFault(
                        SetFaultRequest.newBuilder()
                            .setRule(
                                FaultRule.newBuilder()
                                    .setTarget("*")
                                    .setAbortPercent(50)
                                    .setAbortCode("NOPE"))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertTrue(bad.getStatus().getDescription().startsWith("rule.abort_code"));
  }

  @Test
  void faultsFromConfiguration_applyFromStart() throws Exception {
    start(true, "--faults=ranking.v1.RecallService/Recall=abort:100:RESOURCE_EXHAUSTED");
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        assertThrows(StatusRuntimeException.class, () -> recall(null).recall(RECALL))
            .getStatus()
            .getCode());
  }

  @Test
  void faultHeaders_honouredOnlyWithTheAdminToken() throws Exception {
    start(true);
    Metadata abort = new Metadata();
    abort.put(
        Metadata.Key.of("x-envoy-fault-abort-grpc-request", Metadata.ASCII_STRING_MARSHALLER),
        "14");
    assertEquals(
        "v1",
        recall(abort).recall(RECALL).getSnapshotVersion(),
        "without the token the header is ignored");
    abort.merge(bearer(TOKEN));
    assertEquals(
        Status.Code.UNAVAILABLE,
        assertThrows(StatusRuntimeException.class, () -> recall(abort).recall(RECALL))
            .getStatus()
            .getCode());
    Metadata delay = bearer(TOKEN);
    delay.put(
        Metadata.Key.of("x-envoy-fault-delay-request", Metadata.ASCII_STRING_MARSHALLER), "300");
    long t0 = System.nanoTime();
    recall(delay).recall(RECALL);
    assertTrue(
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 250, "the call was delayed");
  }
}
