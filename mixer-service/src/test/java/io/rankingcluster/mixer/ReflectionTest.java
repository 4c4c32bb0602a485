package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ManagedChannel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each server's reflection gives a client without the .proto everything it needs: the service list,
 * and file descriptors that resolve completely (every method's input and output, every message
 * field type).
 */
class ReflectionTest {
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(false, 1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** One request/response exchange on the bidirectional reflection stream. */
  static ServerReflectionResponse ask(ManagedChannel ch, ServerReflectionRequest request)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> out =
        ServerReflectionGrpc.newStub(ch)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse r) {
                    answer.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    out.onNext(request);
    out.onCompleted();
    return answer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void reflection_everyServer_listsItsServiceAndResolvesFullDescriptors() throws Exception {
    Map<Integer, String> expected =
        Map.of(
            0,
            "ranking.v1.RecallService",
            1,
            "ranking.v1.PrerankService",
            2,
            "ranking.v1.RankService",
            3,
            "ranking.v1.MixerService");
    for (var e : expected.entrySet()) {
      ManagedChannel ch = cluster.channels.get(e.getKey());
      List<String> services = new ArrayList<>();
      ask(ch, ServerReflectionRequest.newBuilder().setListServices("").build())
          .getListServicesResponse()
          .getServiceList()
          .forEach(s -> services.add(s.getName()));
      assertTrue(
          services.containsAll(
              Set.of(
                  e.getValue(),
                  "grpc.health.v1.Health",
                  "grpc.reflection.v1.ServerReflection",
                  "grpc.reflection.v1alpha.ServerReflection")),
          "services of " + e.getValue() + ": " + services);

      ServerReflectionResponse files =
          ask(
              ch,
              ServerReflectionRequest.newBuilder().setFileContainingSymbol(e.getValue()).build());
      Map<String, FileDescriptorProto> protos = new HashMap<>();
      for (ByteString b : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        FileDescriptorProto p = FileDescriptorProto.parseFrom(b);
        protos.put(p.getName(), p);
      }
      ServiceDescriptor service = null;
      Map<String, FileDescriptor> built = new HashMap<>();
      for (String fileName : protos.keySet()) {
        FileDescriptor fd = build(fileName, protos, built);
        if (service == null) {
          service = fd.findServiceByName(e.getValue().substring("ranking.v1.".length()));
        }
      }
      assertTrue(service != null, "descriptor of " + e.getValue() + " not served");
      assertTrue(!service.getMethods().isEmpty());
      for (MethodDescriptor m : service.getMethods()) {
        assertFieldsResolved(m.getInputType());
        assertFieldsResolved(m.getOutputType());
      }
    }
  }

  @Test
  void reflection_servesTheProtoComments_soDescribeShowsTheFieldDocs() throws Exception {
    ServerReflectionResponse files =
        ask(
            cluster.channels.get(3),
            ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("ranking.v1.MixerService")
                .build());
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    for (ByteString b : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto p = FileDescriptorProto.parseFrom(b);
      protos.put(p.getName(), p);
    }
    FileDescriptorProto mixer = protos.get("ranking/v1/mixer.proto");
    assertTrue(
        mixer != null && mixer.hasSourceCodeInfo(), "mixer.proto served with its source info");
    String comments =
        mixer.getSourceCodeInfo().getLocationList().stream()
            .map(l -> l.getLeadingComments())
            .reduce("", String::concat);
    assertTrue(
        comments.contains("A page of the feed for a user"),
        "the rpc's comment: " + comments.length());
    assertTrue(comments.contains("Position on the page, from 1"), "a field's comment");
    // No json_name: protobuf.js reflection clients (grpc-js) would take it for the field name and
    // send
    // {"userId": ...} to a server that reads user_id (the reflection-only probe of .ci/run caught
    // it).
    assertTrue(
        mixer.getMessageTypeList().stream()
            .flatMap(m -> m.getFieldList().stream())
            .noneMatch(f -> f.hasJsonName()),
        "fields served without json_name");
    FileDescriptorProto common = protos.get("ranking/v1/common.proto");
    assertTrue(common != null && common.hasSourceCodeInfo(), "its imports too");
  }

  private static FileDescriptor build(
      String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built)
      throws Exception {
    if (built.containsKey(name)) {
      return built.get(name);
    }
    FileDescriptorProto p = protos.get(name);
    assertTrue(p != null, "reflection did not send dependency " + name);
    List<FileDescriptor> deps = new ArrayList<>();
    for (String d : p.getDependencyList()) {
      deps.add(build(d, protos, built));
    }
    FileDescriptor fd = FileDescriptor.buildFrom(p, deps.toArray(new FileDescriptor[0]));
    built.put(name, fd);
    return fd;
  }

  private static void assertFieldsResolved(Descriptor d) {
    assertEquals("ranking.v1", d.getFile().getPackage());
    for (FieldDescriptor f : d.getFields()) {
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && f.getMessageType().getFile().getPackage().equals("ranking.v1")) {
        assertFieldsResolved(f.getMessageType());
      }
    }
  }
}
