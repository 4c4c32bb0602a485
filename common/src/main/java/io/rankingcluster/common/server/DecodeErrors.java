package io.rankingcluster.common.server;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request that cannot be decoded (garbage bytes, a truncated message, invalid UTF-8 in a
 * string field) INVALID_ARGUMENT naming the message type, instead of grpc-java's UNKNOWN
 * "Application error processing RPC" (a parse failure thrown from the marshaller never reaches the
 * handler's error handling).
 *
 * <p>How: each method's request marshaller is wrapped; on a parse failure it returns a fresh empty
 * message (a unique instance) and remembers it, with the reason, in a thread-local; grpc-java hands
 * the parsed message to the call listener on the same thread right after parsing, where the wrapped
 * handler recognises the instance, closes the call INVALID_ARGUMENT, and keeps the message from the
 * service.
 */
public final class DecodeErrors {
  private static final ThreadLocal<Failure> LAST = new ThreadLocal<>();

  private record Failure(Object poison, String description) {}

  private DecodeErrors() {}

  /** The same service with request decoding failures answered INVALID_ARGUMENT. */
  public static ServerServiceDefinition wrap(ServerServiceDefinition service) {
    ServiceDescriptor sd = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(sd.getName()).setSchemaDescriptor(sd.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = wrapMethod(m);
      methods.add(wrapped);
      descriptor.addMethod(wrapped.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <Q, A> ServerMethodDefinition<Q, A> wrapMethod(ServerMethodDefinition<Q, A> m) {
    MethodDescriptor<Q, A> md = m.getMethodDescriptor();
    MethodDescriptor<Q, A> guarded =
        md.toBuilder(
                new GuardedMarshaller<>(md.getRequestMarshaller(), md.getFullMethodName()),
                md.getResponseMarshaller())
            .build();
    ServerCallHandler<Q, A> handler = m.getServerCallHandler();
    return ServerMethodDefinition.create(
        guarded, (call, headers) -> new Rejecting<>(handler.startCall(call, headers), call));
  }

  /**
   * Wraps the protobuf marshaller: a parse failure yields a remembered poison instance instead of
   * an exception.
   */
  private static final class GuardedMarshaller<T>
      implements MethodDescriptor.PrototypeMarshaller<T> {
    private final MethodDescriptor.Marshaller<T> delegate;
    private final String method;

    GuardedMarshaller(MethodDescriptor.Marshaller<T> delegate, String method) {
      this.delegate = delegate;
      this.method = method;
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        T prototype = getMessagePrototype();
        if (!(prototype instanceof Message message)) {
          throw e; // not protobuf: nothing to stand in for the message
        }
        T poison =
            (T) message.newBuilderForType().build(); // a new instance, never the shared default
        Status s = Status.fromThrowable(e);
        String why =
            s.getCause() != null && s.getCause().getMessage() != null
                ? s.getCause().getMessage()
                : s.getDescription() != null ? s.getDescription() : e.getClass().getSimpleName();
        LAST.set(
            new Failure(
                poison,
                "request could not be decoded as "
                    + message.getDescriptorForType().getFullName()
                    + " ("
                    + method
                    + "): "
                    + why));
        return poison;
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getMessagePrototype() {
      return delegate instanceof MethodDescriptor.PrototypeMarshaller<?> p
          ? (T) p.getMessagePrototype()
          : null;
    }

    @Override
    public Class<T> getMessageClass() {
      T proto = getMessagePrototype();
      @SuppressWarnings("unchecked")
      Class<T> c = proto == null ? null : (Class<T>) proto.getClass();
      return c;
    }
  }

  /**
   * Closes the call INVALID_ARGUMENT when the message is a poison instance; the service never sees
   * it.
   */
  private static final class Rejecting<Q, A> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, A> call;
    private boolean rejected;

    Rejecting(ServerCall.Listener<Q> delegate, ServerCall<Q, A> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(Q message) {
      Failure f = LAST.get();
      if (f != null && f.poison() == message) {
        LAST.remove();
        rejected = true;
        call.close(Status.INVALID_ARGUMENT.withDescription(f.description()), new Metadata());
        return;
      }
      if (!rejected) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        super.onHalfClose();
      }
    }

    @Override
    public void onComplete() {
      if (rejected) {
        super.onCancel(); // the service's listener never got its message: end it as cancelled
      } else {
        super.onComplete();
      }
    }
  }
}
