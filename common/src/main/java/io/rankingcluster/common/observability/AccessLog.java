package io.rankingcluster.common.observability;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per finished call (method, status, milliseconds; the request id comes from the
 * context): every call ({@link Mode#ALL}), only calls that did not end OK ({@link Mode#ERRORS}, the
 * default), or none.
 */
public final class AccessLog implements ServerInterceptor {
  private static final Logger LOG = Logger.getLogger("access");

  /** Which calls are logged. */
  public enum Mode {
    ALL,
    ERRORS,
    OFF
  }

  private final Mode mode;

  public AccessLog(Mode mode) {
    this.mode = mode;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    if (mode == Mode.OFF) {
      return next.startCall(call, headers);
    }
    long t0 = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (mode == Mode.ALL || !status.isOk()) {
              Map<String, Object> fields = new LinkedHashMap<>();
              fields.put("method", method);
              fields.put("status", status.getCode().name());
              fields.put("ms", Math.round((System.nanoTime() - t0) / 1e4) / 100.0);
              if (status.getDescription() != null) {
                fields.put("detail", status.getDescription());
              }
              LOG.log(status.isOk() ? Level.INFO : Level.WARNING, "call", new Object[] {fields});
            }
            super.close(status, trailers);
          }
        },
        headers);
  }
}
