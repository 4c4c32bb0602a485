package io.rankingcluster.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.function.Executable;

/** Assertions on gRPC answers shared by the services' tests. */
public final class GrpcAssertions {
  private GrpcAssertions() {}

  /** The call fails with INVALID_ARGUMENT whose description starts with {@code field}. */
  public static void assertInvalid(Executable call, String field) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        e.getStatus().getDescription().startsWith(field),
        () -> "should name " + field + ": " + e.getStatus());
  }
}
