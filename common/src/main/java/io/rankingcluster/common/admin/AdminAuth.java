package io.rankingcluster.common.admin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin bearer token check: {@code authorization: Bearer <token>} must carry the token of
 * --admin-token-file. No header: UNAUTHENTICATED; a wrong token, or no token configured (admin
 * disabled): PERMISSION_DENIED. Compared in constant time.
 */
public final class AdminAuth implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private final byte[] token;

  /** {@code token} null or empty: every admin call is refused. */
  public AdminAuth(String token) {
    this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** True when the headers carry the configured token (false when admin is disabled). */
  public boolean authorized(Metadata headers) {
    String h = headers.get(AUTHORIZATION);
    if (token == null || h == null || !h.startsWith("Bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(
        token, h.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    Status refusal = null;
    if (token == null) {
      refusal =
          Status.PERMISSION_DENIED.withDescription(
              "admin API disabled: start the service with --admin-token-file");
    } else if (headers.get(AUTHORIZATION) == null) {
      refusal =
          Status.UNAUTHENTICATED.withDescription(
              "admin call needs the metadata 'authorization: Bearer <token>'");
    } else if (!authorized(headers)) {
      refusal = Status.PERMISSION_DENIED.withDescription("authorization: wrong admin token");
    }
    if (refusal != null) {
      call.close(refusal, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
