package io.rankingcluster.common.server;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sheds load: beyond {@code limit} calls in flight, a new call is answered RESOURCE_EXHAUSTED at once
 * rather than queued past its deadline. A call leaves the count when it completes or is cancelled.
 */
public final class ConcurrencyLimitInterceptor implements ServerInterceptor {
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  public ConcurrencyLimitInterceptor(int limit) {
    this.limit = limit;
  }

  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    if (inFlight.incrementAndGet() > limit) {
      inFlight.decrementAndGet();
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(
          "server overloaded: more than " + limit + " calls in flight; retry with backoff"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      private boolean done;

      private void release() {
        if (!done) {
          done = true;
          inFlight.decrementAndGet();
        }
      }

      @Override
      public void onComplete() {
        release();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release();
        super.onCancel();
      }
    };
  }
}
