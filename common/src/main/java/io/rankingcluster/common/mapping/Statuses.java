package io.rankingcluster.common.mapping;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Builds the gRPC errors services answer with: the description always names the field and the
 * problem.
 */
public final class Statuses {
  private Statuses() {}

  /** INVALID_ARGUMENT "field: problem". */
  public static StatusRuntimeException invalid(String field, String problem) {
    return Status.INVALID_ARGUMENT.withDescription(field + ": " + problem).asRuntimeException();
  }

  /** NOT_FOUND "field: problem". */
  public static StatusRuntimeException notFound(String field, String problem) {
    return Status.NOT_FOUND.withDescription(field + ": " + problem).asRuntimeException();
  }
}
