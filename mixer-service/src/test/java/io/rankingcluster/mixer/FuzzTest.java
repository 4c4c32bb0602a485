package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Channel;
import io.grpc.Status;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutates valid requests for a bounded time, at the field level (protobuf reflection: extreme
 * numbers, NaN, unknown enum values, odd strings, added and removed repeated elements, cleared
 * messages) and at the byte level (flipped, inserted, deleted bytes; truncation), and sends them to
 * every service. Every answer is OK or a clear client-error status (never INTERNAL or UNKNOWN, no
 * stack trace or path in the description), and every service still answers a valid request
 * afterwards.
 *
 * <p>Tagged {@code fuzz}; {@code mvn verify} runs it with the fixed seed {@value #SEED} and {@value
 * #CASES} cases, so a failure replays. {@code -Dfuzz.seed=random} draws a seed (printed), {@code
 * -Dfuzz.seed=N} replays one, {@code -Dfuzz.cases} and {@code -Dfuzz.seconds} (a cap, default 120)
 * lengthen or bound the run.
 */
@Tag("fuzz")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FuzzTest {
  static final long SEED = 20261203L;
  static final int CASES = 3000;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private record Target(Channel channel, String method, Message valid) {}

  private static List<Target> targets() {
    long item = TestCluster.SNAPSHOT.catalog().ids[3];
    long item2 = TestCluster.SNAPSHOT.catalog().ids[4];
    RequestContext ctx =
        RequestContext.newBuilder().setUserId("7").setCountry("DE").setDebug(true).build();
    return List.of(
        new Target(
            cluster.mixerChannel,
            "ranking.v1.MixerService/Recommend",
            RecommendRequest.newBuilder()
                .setContext(ctx)
                .setPageSize(10)
                .addKinds(ItemKind.ITEM_KIND_VIDEO)
                .addKinds(ItemKind.ITEM_KIND_PRODUCT)
                .build()),
        new Target(
            cluster.channels.get(0),
            "ranking.v1.RecallService/Recall",
            RecallRequest.newBuilder()
                .setContext(ctx)
                .addKindLimits(
                    KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(50))
                .addExcludeItemIds(item)
                .build()),
        new Target(
            cluster.channels.get(0),
            "ranking.v1.RecallService/GetEmbeddings",
            GetEmbeddingsRequest.newBuilder()
                .setContext(ctx)
                .addItemIds(item)
                .addItemIds(item2)
                .build()),
        new Target(
            cluster.channels.get(1),
            "ranking.v1.PrerankService/Prerank",
            PrerankRequest.newBuilder()
                .setContext(ctx)
                .setCandidates(BadInputTest.block(item, item2))
                .build()),
        new Target(
            cluster.channels.get(2),
            "ranking.v1.RankService/Rank",
            RankRequest.newBuilder()
                .setContext(ctx)
                .setCandidates(BadInputTest.block(item, item2))
                .build()));
  }

  @Test
  void fuzz_mutatedRequests_neverInternalOrUnknown_andServicesKeepAnswering() {
    String seedProperty = System.getProperty("fuzz.seed", Long.toString(SEED));
    long seed =
        seedProperty.equals("random")
            ? new java.security.SecureRandom().nextLong()
            : Long.parseLong(seedProperty);
    int maxCases = Integer.getInteger("fuzz.cases", CASES);
    long seconds = Long.getLong("fuzz.seconds", 120);
    System.out.println(
        "FuzzTest seed "
            + seed
            + " (replay: -Dfuzz.seed="
            + seed
            + "), "
            + maxCases
            + " cases, at most "
            + seconds
            + " s");
    Random rnd = new Random(seed);
    List<Target> targets = targets();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int cases = 0;
    int ok = 0;
    Map<Status.Code, Integer> byCode = new java.util.TreeMap<>();
    while (cases < maxCases && System.nanoTime() < until) {
      Target t = targets.get(rnd.nextInt(targets.size()));
      byte[] body;
      String how;
      if (rnd.nextBoolean()) {
        Message.Builder b = t.valid().toBuilder();
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
          mutate(b, rnd, 0);
        }
        body = b.build().toByteArray();
        how = "fields";
      } else {
        body = mutateBytes(t.valid().toByteArray(), rnd);
        how = "bytes";
      }
      Status s = BadInputTest.sendRaw(t.channel(), t.method(), body);
      cases++;
      byCode.merge(s.getCode(), 1, Integer::sum);
      String what = "case " + cases + " (seed " + seed + ", " + how + ") " + t.method() + " " + s;
      if (s.isOk()) {
        ok++;
      } else {
        assertTrue(BadInputTest.ACCEPTABLE.contains(s.getCode()), what);
        String d = s.getDescription() == null ? "" : s.getDescription();
        for (String leak : new String[] {"Exception", "\tat ", ".java", "/work/", "/home/"}) {
          assertTrue(!d.contains(leak), what + " leaks " + leak);
        }
      }
    }
    System.out.println("FuzzTest: " + cases + " cases, " + ok + " OK, by status " + byCode);
    assertTrue(cases > 100, "ran " + cases + " cases");
    for (Target t : targets) {
      assertEquals(
          Status.OK,
          BadInputTest.sendRaw(t.channel(), t.method(), t.valid().toByteArray()),
          t.method() + " still answers a valid request");
    }
  }

  /** One random change to a random field of {@code b} (or of a nested message). */
  static void mutate(Message.Builder b, Random rnd, int depth) {
    List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
    FieldDescriptor f = fields.get(rnd.nextInt(fields.size()));
    if (f.isRepeated()) {
      int size = b.getRepeatedFieldCount(f);
      int action = rnd.nextInt(4);
      if (action == 0 && size > 0) {
        b.clearField(f);
      } else if (action == 1 && size > 0 && f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        b.setRepeatedField(f, rnd.nextInt(size), value(f, rnd));
      } else {
        int add = rnd.nextInt(10) == 0 ? 500 + rnd.nextInt(3000) : 1 + rnd.nextInt(3);
        for (int i = 0; i < add; i++) {
          b.addRepeatedField(
              f,
              f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                  ? randomMessage(b.newBuilderForField(f), rnd, depth)
                  : value(f, rnd));
        }
      }
      return;
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      if (rnd.nextInt(4) == 0 || depth > 3) {
        b.clearField(f);
      } else {
        Message.Builder nested = ((Message) b.getField(f)).toBuilder();
        mutate(nested, rnd, depth + 1);
        b.setField(f, nested.build());
      }
      return;
    }
    b.setField(f, value(f, rnd));
  }

  private static Message randomMessage(Message.Builder b, Random rnd, int depth) {
    for (int i = 0; i < 1 + rnd.nextInt(3) && depth < 3; i++) {
      mutate(b, rnd, depth + 1);
    }
    return b.build();
  }

  /** An awkward value for a scalar field. */
  static Object value(FieldDescriptor f, Random rnd) {
    switch (f.getJavaType()) {
      case INT:
        {
          int[] v = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 20, 2001, rnd.nextInt()};
          return v[rnd.nextInt(v.length)];
        }
      case LONG:
        {
          long[] v = {
            0,
            -1,
            1,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            TestCluster.SNAPSHOT.catalog().ids[rnd.nextInt(100)],
            rnd.nextLong()
          };
          return v[rnd.nextInt(v.length)];
        }
      case FLOAT:
        {
          float[] v = {
            0f,
            -1f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MAX_VALUE,
            1e-45f,
            rnd.nextFloat()
          };
          return v[rnd.nextInt(v.length)];
        }
      case DOUBLE:
        return rnd.nextBoolean() ? Double.NaN : rnd.nextDouble();
      case BOOLEAN:
        return rnd.nextBoolean();
      case STRING:
        {
          String[] v = {
            "",
            "7",
            "x".repeat(300),
            "ünïcødé-👍",
            "DE",
            "\u0000",
            "../../etc/passwd",
            "rank-mtl-s42",
            "x".repeat(100_000)
          };
          return v[rnd.nextInt(v.length)];
        }
      case BYTE_STRING:
        return ByteString.copyFromUtf8("x");
      case ENUM:
        {
          EnumDescriptor e = f.getEnumType();
          int n =
              rnd.nextInt(3) == 0
                  ? 1000 + rnd.nextInt(1000)
                  : rnd.nextInt(e.getValues().size() + 1);
          return e.findValueByNumberCreatingIfUnknown(n);
        }
      default:
        throw new IllegalStateException(f.getJavaType().name());
    }
  }

  /** Flips, inserts or deletes a few bytes, or truncates. */
  static byte[] mutateBytes(byte[] in, Random rnd) {
    byte[] b = in.clone();
    int action = rnd.nextInt(4);
    if (action == 0 || b.length == 0) {
      return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
    }
    int edits = 1 + rnd.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = rnd.nextInt(b.length);
      if (action == 1) {
        b[at] = (byte) rnd.nextInt(256);
      } else if (action == 2) {
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) rnd.nextInt(256);
        System.arraycopy(b, at, out, at + 1, b.length - at);
        b = out;
      } else {
        byte[] out = new byte[b.length - 1];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + 1, out, at, b.length - at - 1);
        b = out;
      }
    }
    return b;
  }
}
