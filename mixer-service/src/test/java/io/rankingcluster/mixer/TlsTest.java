package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.TestCerts;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain over TLS with mutual authentication (certificates made at test time): stages
 * require the mixer's client certificate, the mixer requires its clients' certificates too.
 * Plaintext, unknown CAs and missing client certificates are refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static final List<ManagedServer> servers = new ArrayList<>();
  static Downstreams downstreams;
  static int mixerPort;

  static ServerConfig mtls() {
    return ServerConfig.parse(
        "--default-deadline-ms=5000",
        "--tls-cert=" + certs.serverCert,
        "--tls-key=" + certs.serverKey,
        "--tls-client-ca=" + certs.ca);
  }

  static int start(String name, BindableService service) throws Exception {
    ManagedServer s =
        new ManagedServer(name, ServiceMain.serverBuilder(mtls(), 0), mtls(), List.of(service))
            .start(() -> {});
    servers.add(s);
    return s.port();
  }

  @BeforeAll
  static void startCluster() throws Exception {
    certs = TestCerts.create(dir);
    var snap = TestCluster.SNAPSHOT;
    int recall =
        start(
            "recall",
            new RecallServiceImpl(
                Versioned.fixed(snap.version(), ShardData.of(snap, 0, 1)),
                RecallConfig.defaults()));
    int prerank =
        start("prerank", new PrerankServiceImpl(snap, new int[] {250, 110, 40}, 2000, 20000));
    int rank =
        start(
            "rank",
            new RankServiceImpl(
                Versioned.fixed(snap.version(), RankData.of(snap, ValueFormula.DEFAULT)), 2000));
    MixerConfig o =
        MixerConfig.parse(
            "--recall-targets=127.0.0.1:" + recall,
            "--prerank-target=127.0.0.1:" + prerank,
            "--rank-target=127.0.0.1:" + rank,
            "--tls-ca=" + certs.ca,
            "--tls-client-cert=" + certs.clientCert,
            "--tls-client-key=" + certs.clientKey,
            "--tls-authority=ranking.internal");
    downstreams = Downstreams.open(o);
    mixerPort =
        start(
            "mixer",
            new MixerServiceImpl(
                snap,
                downstreams,
                o,
                new PageTokenCodec(Map.of(1, TestCluster.KEY), 1, 3_600_000L)));
  }

  @AfterAll
  static void stop() {
    if (downstreams != null) {
      downstreams.close();
    }
    servers.forEach(ManagedServer::stop);
  }

  static io.rankingcluster.proto.v1.RecommendResponse recommend(ChannelCredentials creds) {
    ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", mixerPort, creds).build();
    try {
      return MixerServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .recommend(
              RecommendRequest.newBuilder()
                  .setContext(RequestContext.newBuilder().setUserId("7"))
                  .build());
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void mutualTls_everyHop_servesAFullPage() throws Exception {
    ChannelCredentials client =
        TlsChannelCredentials.newBuilder()
            .trustManager(certs.ca.toFile())
            .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
            .build();
    var page = recommend(client);
    assertEquals(20, page.getItemsCount());
    assertEquals(
        List.of(), page.getDegradedReasonsList(), "mixer -> recall, prerank, rank all over mTLS");
  }

  @Test
  void plaintextClient_isRefused() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> recommend(InsecureChannelCredentials.create()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void clientWithoutCertificate_isRefusedByMtls() throws Exception {
    ChannelCredentials noCert =
        TlsChannelCredentials.newBuilder().trustManager(certs.ca.toFile()).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> recommend(noCert));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void clientTrustingAnotherCa_refusesTheServer() throws Exception {
    ChannelCredentials wrongCa =
        TlsChannelCredentials.newBuilder()
            .trustManager(certs.otherCa.toFile())
            .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
            .build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> recommend(wrongCa));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }
}
