package io.rankingcluster.mixer;

import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;

/**
 * Splits one request's deadline into stage budgets. Each stage gets its share of what remains
 * (minus the reserve kept to build the answer), relative to the shares of the stages still to come
 * plus the slack: a stage that finishes early leaves more to the next ones, and none can spend the
 * time of the others.
 */
final class Budget {
  static final int RECALL = 0;
  static final int PRERANK = 1;
  static final int RANK = 2;
  static final int BLEND = 3;

  private final Deadline deadline;
  private final double[] shares;
  private final double slack;
  private final long reserveNanos;

  Budget(Deadline deadline, double[] shares, long reserveMs) {
    this.deadline = deadline;
    this.shares = shares.clone();
    double sum = 0;
    for (double s : shares) {
      sum += s;
    }
    this.slack = Math.max(0, 1 - sum);
    this.reserveNanos = TimeUnit.MILLISECONDS.toNanos(reserveMs);
  }

  /** Nanoseconds left before the deadline minus the reserve (may be <= 0). */
  long remainingNanos() {
    return deadline.timeRemaining(TimeUnit.NANOSECONDS) - reserveNanos;
  }

  /** The budget of a stage starting now, in nanoseconds (0 when no time is left). */
  long stageNanos(int stage) {
    double rest = slack;
    for (int s = stage; s < shares.length; s++) {
      rest += shares[s];
    }
    long remaining = remainingNanos();
    return remaining <= 0 ? 0 : (long) (remaining * (shares[stage] / rest));
  }
}
