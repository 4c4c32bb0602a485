package io.rankingcluster.common.server;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.common.observability.RequestIds;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A programmer error (any exception but a {@link StatusRuntimeException}) thrown by a handler ends
 * its call with INTERNAL "internal error (request id ...)" and is logged at SEVERE with the request
 * id and its stack trace, instead of grpc-java's bare UNKNOWN. Nothing fails open here: a caller
 * that treats INTERNAL as a runtime failure of this stage (the mixer does) degrades its own answer
 * and counts it.
 */
public final class InternalErrors implements ServerInterceptor {
  public static final InternalErrors INSTANCE = new InternalErrors();
  private static final Logger LOG = Logger.getLogger(InternalErrors.class.getName());

  private InternalErrors() {}

  /** The status for a programmer error in request {@code requestId}, logged once here. */
  public static StatusRuntimeException internal(String method, String requestId, Throwable e) {
    LOG.log(Level.SEVERE, "internal error in " + method + " (request id " + requestId + ")", e);
    return Status.INTERNAL
        .withDescription("internal error (request id " + requestId + "); the server logged it")
        .asRuntimeException();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (StatusRuntimeException e) {
          throw e;
        } catch (RuntimeException e) {
          close(e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (StatusRuntimeException e) {
          throw e;
        } catch (RuntimeException e) {
          close(e);
        }
      }

      private void close(RuntimeException e) {
        String id = RequestIds.current() == null ? "none" : RequestIds.current();
        StatusRuntimeException status =
            internal(call.getMethodDescriptor().getFullMethodName(), id, e);
        call.close(status.getStatus(), new Metadata());
      }
    };
  }
}
