package io.rankingcluster.common.observability;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.UUID;

/**
 * The request id of a call, carried across every hop in the {@code x-request-id} metadata header: a
 * server takes it from the header (or makes one when the caller sent none) and keeps it in the gRPC
 * {@link Context}, where logs read it; a client call made within that context sends it on. One id
 * thus names a request in the logs of the mixer and of every stage it called.
 */
public final class RequestIds {
  public static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> KEY = Context.key("request-id");

  /** Longer ids are cut: the header is client input and ends up in every log line. */
  static final int MAX_LENGTH = 128;

  private RequestIds() {}

  /**
   * The one rule for a request id given by a client (the x-request-id header, or a request's
   * context.request_id): blank means none, so a new one is made; longer than {@value #MAX_LENGTH}
   * characters is cut to that length. Logs, downstream calls and the answer all use what this
   * returns.
   */
  public static String normalize(String given) {
    if (given == null || given.isBlank()) {
      return UUID.randomUUID().toString();
    }
    return given.length() > MAX_LENGTH ? given.substring(0, MAX_LENGTH) : given;
  }

  /**
   * The id of a request whose body may name one ({@code bodyId}, e.g. context.request_id): that one
   * when given, else the current call's (the header's, or the one the server made), by {@link
   * #normalize}.
   */
  public static String forRequest(String bodyId) {
    if (bodyId != null && !bodyId.isBlank()) {
      return normalize(bodyId);
    }
    String current = current();
    return current != null ? current : normalize(null);
  }

  /** The request id of the current call, or null outside a call. */
  public static String current() {
    return KEY.get();
  }

  /**
   * Runs {@code body} with {@code id} as the current request id (for work started outside a call).
   */
  public static void runWith(String id, Runnable body) {
    Context.current().withValue(KEY, id).run(body);
  }

  /** The server side: reads or creates the id and makes it current for the call. */
  public static ServerInterceptor server() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String id = normalize(headers.get(HEADER));
        return Contexts.interceptCall(Context.current().withValue(KEY, id), call, headers, next);
      }
    };
  }

  /** The client side: sends the current request id, if any, with every call. */
  public static ClientInterceptor client() {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(
          MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            String id = KEY.get();
            if (id != null) {
              headers.put(HEADER, id);
            }
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
