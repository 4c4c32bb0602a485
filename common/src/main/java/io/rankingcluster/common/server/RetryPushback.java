package io.rankingcluster.common.server;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Every UNAVAILABLE this server answers carries {@code grpc-retry-pushback-ms: 0}: "try another
 * replica now". grpc-java's hedging sends the next attempt at once after a non-fatal status only
 * when the server gave a pushback; without one it waits out the hedging delay, so a replica failing
 * every call cost each call 20 ms per attempt that landed on it, and some calls their stage budget
 * (measured: 4-7 prerank pages degraded by deadline_exceeded in the first second of a replica
 * aborting every call, before outlier detection ejected it). A pushback the handler set itself is
 * left as it is; other codes get none (a RESOURCE_EXHAUSTED refusal must not invite an immediate
 * retry).
 */
final class RetryPushback implements ServerInterceptor {
  static final RetryPushback INSTANCE = new RetryPushback();
  static final Metadata.Key<String> KEY =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private RetryPushback() {}

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (status.getCode() == Status.Code.UNAVAILABLE && !trailers.containsKey(KEY)) {
              trailers.put(KEY, "0");
            }
            super.close(status, trailers);
          }
        },
        headers);
  }
}
