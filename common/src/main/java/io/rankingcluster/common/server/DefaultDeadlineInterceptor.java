package io.rankingcluster.common.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gives a call that arrived without a deadline the configured default one, in the gRPC Context, so
 * that every downstream call made while serving it inherits a deadline derived from it.
 */
public final class DefaultDeadlineInterceptor implements ServerInterceptor {
  // One daemon timer thread for all deadlines of this server: it only fires cancellations.
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "default-deadline-timer");
            t.setDaemon(true);
            return t;
          });
  private final long defaultMillis;

  public DefaultDeadlineInterceptor(long defaultMillis) {
    this.defaultMillis = defaultMillis;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (Context.current().getDeadline() != null) {
      return next.startCall(call, headers);
    }
    Context.CancellableContext ctx =
        Context.current().withDeadlineAfter(defaultMillis, TimeUnit.MILLISECONDS, TIMER);
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
