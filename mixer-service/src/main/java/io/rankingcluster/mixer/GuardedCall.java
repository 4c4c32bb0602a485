package io.rankingcluster.mixer;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.core.pipeline.StageException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * One blocking stage call under its {@link Guard} and budget, with the outcome as the pipeline sees
 * it: the answer, or a {@link StageException} (the guard refused the call, or the stage answered an
 * error, INTERNAL included: that is the stage's runtime failure, not ours). Anything else thrown
 * here is our own bug and passes.
 */
final class GuardedCall {
  private GuardedCall() {}

  static <T> T call(Guard guard, long nanos, long minBudgetMs, LongFunction<T> rpc) {
    Guard.Refusal refusal = guard.enter();
    if (refusal != Guard.Refusal.NONE) {
      throw new StageException(refusal.cause, guard.name + " " + refusal.cause);
    }
    long start = System.nanoTime();
    try {
      T answer = rpc.apply(nanos);
      guard.exit(start, Status.OK);
      return answer;
    } catch (StatusRuntimeException e) {
      judge(guard, start, nanos, minBudgetMs, e.getStatus());
      throw failure(e.getStatus());
    } catch (RuntimeException e) {
      guard.exitUnjudged();
      throw e;
    }
  }

  /**
   * Ends a guarded call: unjudged when its budget was below the minimum (a short client deadline,
   * not the stage).
   */
  static void judge(Guard guard, long start, long budgetNanos, long minBudgetMs, Status status) {
    if (budgetNanos < TimeUnit.MILLISECONDS.toNanos(minBudgetMs)) {
      guard.exitUnjudged();
    } else {
      guard.exit(start, status);
    }
  }

  /** A stage's error status as the pipeline's runtime failure: cause = the code in lower case. */
  static StageException failure(Status status) {
    return new StageException(
        cause(status), status.getDescription() == null ? "" : status.getDescription());
  }

  static String cause(Status status) {
    return status.getCode().name().toLowerCase(Locale.ROOT);
  }
}
