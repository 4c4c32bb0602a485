package io.rankingcluster.common.server;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Serves the .proto comments through server reflection. Java's generated descriptors carry no
 * source info, so grpcurl's {@code describe} would show bare fields; the proto module ships a
 * descriptor set with source info ({@value #RESOURCE}), and each service is registered with a
 * schema descriptor built from it: the same files and types, plus their comments. A service whose
 * file the set does not hold (or a missing set) keeps its own descriptor.
 */
public final class SourceInfo {
  static final String RESOURCE = "/ranking/v1/ranking-v1.desc";
  private static final Logger LOG = Logger.getLogger(SourceInfo.class.getName());
  private static final Map<String, FileDescriptor> FILES = load();

  private SourceInfo() {}

  /**
   * {@code service} with a schema descriptor that carries the .proto comments (when the set holds
   * its file).
   */
  public static ServerServiceDefinition attach(ServerServiceDefinition service) {
    io.grpc.ServiceDescriptor sd = service.getServiceDescriptor();
    if (!(sd.getSchemaDescriptor() instanceof ProtoFileDescriptorSupplier plain)) {
      return service;
    }
    FileDescriptor rich = FILES.get(plain.getFileDescriptor().getName());
    ServiceDescriptor richService =
        rich == null
            ? null
            : rich.findServiceByName(sd.getName().substring(sd.getName().lastIndexOf('.') + 1));
    if (richService == null) {
      return service;
    }
    io.grpc.ServiceDescriptor.Builder descriptor =
        io.grpc.ServiceDescriptor.newBuilder(sd.getName())
            .setSchemaDescriptor(new Supplier(rich, richService));
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      descriptor.addMethod(m.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    service.getMethods().forEach(out::addMethod);
    return out.build();
  }

  /** Whether the descriptor set with comments was found (tests). */
  static boolean loaded() {
    return !FILES.isEmpty();
  }

  private record Supplier(FileDescriptor file, ServiceDescriptor service)
      implements ProtoFileDescriptorSupplier, ProtoServiceDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return file;
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }

  /** The set's files built in dependency order (each file after its imports), by file name. */
  private static Map<String, FileDescriptor> load() {
    Map<String, FileDescriptor> out = new HashMap<>();
    try (InputStream in = SourceInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        LOG.warning(
            RESOURCE + " not on the class path: reflection serves descriptors without comments");
        return out;
      }
      Map<String, FileDescriptorProto> protos = new HashMap<>();
      for (FileDescriptorProto f : FileDescriptorSet.parseFrom(in).getFileList()) {
        protos.put(f.getName(), withoutJsonNames(f));
      }
      for (String name : protos.keySet()) {
        build(name, protos, out);
      }
    } catch (IOException | DescriptorValidationException | RuntimeException e) {
      LOG.warning(
          "cannot read "
              + RESOURCE
              + " ("
              + e
              + "): reflection serves descriptors without comments");
      out.clear();
    }
    return out;
  }

  /**
   * The file without the json_name protoc writes into descriptor sets (Java's generated descriptors
   * have none): some reflection clients (protobuf.js) take json_name as the field's name, and their
   * calls then miss every snake_case field. The comments stay; json_name is derived from the name
   * anyway.
   */
  static FileDescriptorProto withoutJsonNames(FileDescriptorProto f) {
    FileDescriptorProto.Builder b = f.toBuilder();
    for (int i = 0; i < b.getMessageTypeCount(); i++) {
      b.setMessageType(i, withoutJsonNames(b.getMessageType(i)));
    }
    return b.build();
  }

  private static DescriptorProto withoutJsonNames(DescriptorProto m) {
    DescriptorProto.Builder b = m.toBuilder();
    for (int i = 0; i < b.getFieldCount(); i++) {
      b.setField(i, b.getField(i).toBuilder().clearJsonName());
    }
    for (int i = 0; i < b.getNestedTypeCount(); i++) {
      b.setNestedType(i, withoutJsonNames(b.getNestedType(i)));
    }
    return b.build();
  }

  private static FileDescriptor build(
      String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built)
      throws DescriptorValidationException {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < deps.length; i++) {
      deps[i] = build(proto.getDependency(i), protos, built);
    }
    FileDescriptor fd = FileDescriptor.buildFrom(proto, deps);
    built.put(name, fd);
    return fd;
  }
}
