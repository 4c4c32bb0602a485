package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ChannelLimit;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to every service: each case gets a clear status (never INTERNAL or UNKNOWN) whose
 * description names the field, with no stack trace or internal path, and the service keeps
 * answering.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadInputTest {
  static TestCluster cluster;
  static final Set<Status.Code> ACCEPTABLE =
      EnumSet.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.OUT_OF_RANGE,
          Status.Code.FAILED_PRECONDITION);

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static final long ITEM = TestCluster.SNAPSHOT.catalog().ids[0];
  static final long ITEM2 = TestCluster.SNAPSHOT.catalog().ids[1];
  static final int DIM = TestCluster.SNAPSHOT.itemEmbeddings().dimension();

  static RequestContext ctx() {
    return RequestContext.newBuilder().setUserId("7").build();
  }

  static CandidateBlock block(long... ids) {
    CandidateBlock.Builder b = CandidateBlock.newBuilder();
    for (long id : ids) {
      b.addItemIds(id).addKinds(ItemKind.ITEM_KIND_PRODUCT).addScores(0.5f);
    }
    return b.build();
  }

  static UserFeatures vector(float... v) {
    UserFeatures.Builder b = UserFeatures.newBuilder();
    for (float x : v) {
      b.addUserVector(x);
    }
    return b.build();
  }

  static float[] dims(int n, float value) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, value);
    return v;
  }

  static String repeat(String s, int n) {
    return s.repeat(n);
  }

  /** service stub call, request, the field the description must name. */
  record Case(String name, Message request, String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    // Signed with the cluster's key, issued two hours ago: past the mixer's one-hour TTL.
    String expired =
        new PageTokenCodec(Map.of(1, TestCluster.KEY), 1, 3_600_000)
            .encode(
                new PageTokenCodec.PageState(
                    2, new long[] {1}, System.currentTimeMillis() - 7_200_000));
    String foreign =
        new PageTokenCodec(Map.of(1, "another-key-of-16-bytes!".getBytes()), 1, 3_600_000)
            .encode(new PageTokenCodec.PageState(2, new long[] {1}, System.currentTimeMillis()));
    List<Case> c = new ArrayList<>();
    // Mixer
    c.add(new Case("recommend: no context", RecommendRequest.getDefaultInstance(), "context"));
    c.add(
        new Case(
            "recommend: empty user",
            RecommendRequest.newBuilder().setContext(RequestContext.getDefaultInstance()).build(),
            "context.user_id"));
    c.add(
        new Case(
            "recommend: huge user id",
            RecommendRequest.newBuilder()
                .setContext(RequestContext.newBuilder().setUserId(repeat("u", 10_000)))
                .build(),
            "context.user_id"));
    c.add(
        new Case(
            "recommend: negative page size",
            RecommendRequest.newBuilder().setContext(ctx()).setPageSize(-1).build(),
            "page_size"));
    c.add(
        new Case(
            "recommend: huge page size",
            RecommendRequest.newBuilder().setContext(ctx()).setPageSize(1_000_000).build(),
            "page_size"));
    c.add(
        new Case(
            "recommend: unspecified kind",
            RecommendRequest.newBuilder()
                .setContext(ctx())
                .addKinds(ItemKind.ITEM_KIND_UNSPECIFIED)
                .build(),
            "kinds[0]"));
    c.add(
        new Case(
            "recommend: unknown kind number",
            RecommendRequest.newBuilder().setContext(ctx()).addKindsValue(99).build(),
            "kinds[0]"));
    c.add(
        new Case(
            "recommend: forged token",
            RecommendRequest.newBuilder().setContext(ctx()).setPageToken("AAAA-forged").build(),
            "page_token"));
    c.add(
        new Case(
            "recommend: expired token",
            RecommendRequest.newBuilder().setContext(ctx()).setPageToken(expired).build(),
            "page_token"));
    c.add(
        new Case(
            "recommend: token of a foreign key",
            RecommendRequest.newBuilder().setContext(ctx()).setPageToken(foreign).build(),
            "page_token"));
    c.add(
        new Case(
            "recommend: unknown experiment",
            RecommendRequest.newBuilder()
                .setContext(ctx().toBuilder().setExperiment("no-such-arm"))
                .build(),
            "context.experiment"));
    c.add(
        new Case(
            "recommend: unknown country",
            RecommendRequest.newBuilder().setContext(ctx().toBuilder().setCountry("XX")).build(),
            "context.country"));
    c.add(
        new Case(
            "recommend: negative client time",
            RecommendRequest.newBuilder().setContext(ctx().toBuilder().setClientTimeMs(-5)).build(),
            "context.client_time_ms"));
    // Recall
    c.add(
        new Case(
            "recall: limit above maximum",
            RecallRequest.newBuilder()
                .setContext(ctx())
                .addKindLimits(
                    KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(10_000_000))
                .build(),
            "kind_limits"));
    c.add(
        new Case(
            "recall: unknown kind in limits",
            RecallRequest.newBuilder()
                .setContext(ctx())
                .addKindLimits(KindLimit.newBuilder().setKindValue(42).setLimit(5))
                .build(),
            "kind_limits"));
    c.add(
        new Case(
            "recall: channel limit above maximum",
            RecallRequest.newBuilder()
                .setContext(ctx())
                .addChannelLimits(
                    ChannelLimit.newBuilder()
                        .setChannel(RecallChannel.RECALL_CHANNEL_POPULAR)
                        .setLimit(10_000_000))
                .build(),
            "channel_limits"));
    c.add(
        new Case(
            "recall: vector of wrong dimension",
            RecallRequest.newBuilder().setContext(ctx()).setUser(vector(1, 2, 3)).build(),
            "user.user_vector"));
    c.add(
        new Case(
            "recall: NaN in vector",
            RecallRequest.newBuilder()
                .setContext(ctx())
                .setUser(vector(dims(DIM, Float.NaN)))
                .build(),
            "user.user_vector"));
    c.add(
        new Case(
            "recall: infinity in vector",
            RecallRequest.newBuilder()
                .setContext(ctx())
                .setUser(vector(dims(DIM, Float.POSITIVE_INFINITY)))
                .build(),
            "user.user_vector"));
    RecallRequest.Builder manyExcluded = RecallRequest.newBuilder().setContext(ctx());
    for (int i = 0; i < 200_000; i++) {
      manyExcluded.addExcludeItemIds(i);
    }
    c.add(new Case("recall: too many excluded ids", manyExcluded.build(), "exclude_item_ids"));
    GetEmbeddingsRequest.Builder manyIds = GetEmbeddingsRequest.newBuilder().setContext(ctx());
    for (int i = 0; i < 100_000; i++) {
      manyIds.addItemIds(i);
    }
    c.add(new Case("embeddings: too many ids", manyIds.build(), "item_ids"));
    // Prerank and rank
    c.add(
        new Case(
            "prerank: no candidates",
            PrerankRequest.newBuilder().setContext(ctx()).build(),
            "candidates"));
    c.add(
        new Case(
            "prerank: mismatched arrays",
            PrerankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM).toBuilder().addScores(1f))
                .build(),
            "candidates"));
    c.add(
        new Case(
            "prerank: NaN score",
            PrerankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM).toBuilder().setScores(0, Float.NaN))
                .build(),
            "candidates.scores"));
    c.add(
        new Case(
            "prerank: duplicate ids",
            PrerankRequest.newBuilder().setContext(ctx()).setCandidates(block(ITEM, ITEM)).build(),
            "candidates.item_ids"));
    c.add(
        new Case(
            "prerank: unknown model version",
            PrerankRequest.newBuilder()
                .setContext(ctx().toBuilder().putModelVersions("prerank", "no-such-model"))
                .setCandidates(block(ITEM))
                .build(),
            "context.model_versions"));
    c.add(
        new Case(
            "prerank: top k above maximum",
            PrerankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM))
                .addTopKPerKind(
                    KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(1_000_000))
                .build(),
            "top_k_per_kind"));
    long[] tooMany = new long[20_001];
    for (int i = 0; i < tooMany.length; i++) {
      tooMany[i] = i + 1;
    }
    c.add(
        new Case(
            "prerank: more candidates than the limit",
            PrerankRequest.newBuilder().setContext(ctx()).setCandidates(block(tooMany)).build(),
            "candidates"));
    c.add(
        new Case(
            "rank: no candidates",
            RankRequest.newBuilder().setContext(ctx()).build(),
            "candidates"));
    c.add(
        new Case(
            "rank: more candidates than the limit",
            RankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(java.util.Arrays.copyOf(tooMany, 2001)))
                .build(),
            "candidates"));
    c.add(
        new Case(
            "rank: NaN in user vector",
            RankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM, ITEM2))
                .setUser(vector(dims(DIM, Float.NaN)))
                .build(),
            "user.user_vector"));
    c.add(
        new Case(
            "rank: vector of wrong dimension",
            RankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM))
                .setUser(vector(1f))
                .build(),
            "user.user_vector"));
    c.add(
        new Case(
            "rank: unknown model version",
            RankRequest.newBuilder()
                .setContext(ctx().toBuilder().putModelVersions("rank", "no-such-model"))
                .setCandidates(block(ITEM))
                .build(),
            "context.model_versions"));
    c.add(
        new Case(
            "rank: NaN typical price",
            RankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM))
                .setUser(UserFeatures.newBuilder().setTypicalPrice(Float.NaN))
                .build(),
            "user.typical_price"));
    c.add(
        new Case(
            "rank: unknown kind of a candidate",
            RankRequest.newBuilder()
                .setContext(ctx())
                .setCandidates(block(ITEM).toBuilder().setKindsValue(0, 77))
                .build(),
            "candidates.kinds"));
    return c.stream().map(Arguments::of);
  }

  /** Sends a message to the service that takes its type. */
  static void send(Message request) {
    Channel mixer = cluster.mixerChannel;
    long deadline = 10;
    if (request instanceof RecommendRequest r) {
      MixerServiceGrpc.newBlockingStub(mixer)
          .withDeadlineAfter(deadline, TimeUnit.SECONDS)
          .recommend(r);
    } else if (request instanceof RecallRequest r) {
      RecallServiceGrpc.newBlockingStub(cluster.channels.get(0))
          .withDeadlineAfter(deadline, TimeUnit.SECONDS)
          .recall(r);
    } else if (request instanceof GetEmbeddingsRequest r) {
      RecallServiceGrpc.newBlockingStub(cluster.channels.get(0))
          .withDeadlineAfter(deadline, TimeUnit.SECONDS)
          .getEmbeddings(r);
    } else if (request instanceof PrerankRequest r) {
      PrerankServiceGrpc.newBlockingStub(cluster.channels.get(1))
          .withDeadlineAfter(deadline, TimeUnit.SECONDS)
          .prerank(r);
    } else if (request instanceof RankRequest r) {
      RankServiceGrpc.newBlockingStub(cluster.channels.get(2))
          .withDeadlineAfter(deadline, TimeUnit.SECONDS)
          .rank(r);
    } else {
      fail("no service for " + request.getClass());
    }
  }

  static void assertClean(Status s, String field, String what) {
    assertTrue(ACCEPTABLE.contains(s.getCode()), what + ": got " + s);
    String d = s.getDescription() == null ? "" : s.getDescription();
    assertTrue(d.contains(field), what + ": description should name " + field + ": " + d);
    for (String leak : new String[] {"Exception", "\tat ", ".java", "/work/", "/home/", "/tmp/"}) {
      assertFalse(d.contains(leak), what + ": description leaks '" + leak + "': " + d);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badRequest_getsAClearStatusNamingTheField(Case c) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> send(c.request()), c.name());
    assertClean(e.getStatus(), c.field(), c.name());
    // And the service still answers a valid request.
    assertEquals(
        20,
        MixerServiceGrpc.newBlockingStub(cluster.mixerChannel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .recommend(RecommendRequest.newBuilder().setContext(ctx()).build())
            .getItemsCount());
  }

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** Sends raw bytes to a method, as a client with a broken encoder would. */
  static Status sendRaw(Channel channel, String fullMethod, byte[] body) {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethod)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    try {
      ClientCalls.blockingUnaryCall(
          channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void undecodableRequests_garbageTruncatedOrInvalidUtf8_areInvalidArgumentOnEveryMethod() {
    byte[] valid =
        RecommendRequest.newBuilder().setContext(ctx()).setPageSize(5).build().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    // RecommendRequest{context: RequestContext{user_id (field 2): bytes C3 28, not UTF-8}}
    byte[] badUtf8 = {0x0a, 0x04, 0x12, 0x02, (byte) 0xc3, 0x28};
    Object[][] methods = {
      {cluster.mixerChannel, "ranking.v1.MixerService/Recommend", "ranking.v1.RecommendRequest"},
      {cluster.channels.get(0), "ranking.v1.RecallService/Recall", "ranking.v1.RecallRequest"},
      {
        cluster.channels.get(0),
        "ranking.v1.RecallService/GetEmbeddings",
        "ranking.v1.GetEmbeddingsRequest"
      },
      {cluster.channels.get(1), "ranking.v1.PrerankService/Prerank", "ranking.v1.PrerankRequest"},
      {cluster.channels.get(2), "ranking.v1.RankService/Rank", "ranking.v1.RankRequest"}
    };
    for (Object[] m : methods) {
      for (byte[] body : new byte[][] {garbage, truncated, badUtf8}) {
        Status s = sendRaw((Channel) m[0], (String) m[1], body);
        assertEquals(
            Status.Code.INVALID_ARGUMENT,
            s.getCode(),
            m[1] + " with " + java.util.Arrays.toString(body) + ": " + s);
        assertTrue(s.getDescription().contains((String) m[2]), s.getDescription());
      }
    }
    // Valid bytes through the same raw path still work.
    assertEquals(
        Status.OK, sendRaw(cluster.mixerChannel, "ranking.v1.MixerService/Recommend", valid));
  }

  @Test
  void oversizeMessage_isRefusedWithResourceExhausted() throws Exception {
    // Over Netty (the in-process transport does not serialise, so it has no size limit to enforce).
    try (TestCluster loopback = new TestCluster(true, 1)) {
      byte[] huge = new byte[9 * 1024 * 1024]; // above the default --max-inbound-bytes of 8 MiB
      for (Channel ch :
          List.of(
              loopback.mixerChannel,
              loopback.channels.get(0),
              loopback.channels.get(1),
              loopback.channels.get(2))) {
        String method =
            ch == loopback.mixerChannel
                ? "ranking.v1.MixerService/Recommend"
                : ch == loopback.channels.get(0)
                    ? "ranking.v1.RecallService/Recall"
                    : ch == loopback.channels.get(1)
                        ? "ranking.v1.PrerankService/Prerank"
                        : "ranking.v1.RankService/Rank";
        Status s = sendRaw(ch, method, huge);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), method + ": " + s);
      }
    }
  }
}
