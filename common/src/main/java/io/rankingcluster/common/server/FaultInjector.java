package io.rankingcluster.common.server;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server interceptor that delays or aborts a share of calls, per method: the tool for testing how the
 * callers behave when a stage is slow or failing. No rule, no effect (one map lookup per call).
 *
 * <p>A rule applies to a full method name ({@code ranking.v1.RankService/Rank}), else to a service
 * ({@code ranking.v1.RankService}), else to {@code *}. A delayed call waits on the calling thread until the
 * delay ends or the call is cancelled (the caller's deadline or a client cancel); a call cancelled while
 * delayed is closed CANCELLED and counted, and {@link #onCancelledDuringDelay} listeners run, so a test can
 * see with a latch that cancellation reached the server. An abort closes the call with the rule's status
 * before the handler runs.
 */
public final class FaultInjector implements ServerInterceptor {
  /**
   * One fault: with probability {@code delayPercent}/100 wait {@code delayMs}, then with probability
   * {@code abortPercent}/100 close with {@code abortCode}.
   */
  public record Rule(double delayPercent, long delayMs, double abortPercent, Status.Code abortCode) {
    public Rule {
      if (!(delayPercent >= 0 && delayPercent <= 100) || !(abortPercent >= 0 && abortPercent <= 100)) {
        throw new IllegalArgumentException("fault percentages must be in [0, 100]");
      }
      if (delayMs < 0) {
        throw new IllegalArgumentException("fault delay must be >= 0 ms, was " + delayMs);
      }
      if (abortPercent > 0 && (abortCode == null || abortCode == Status.Code.OK)) {
        throw new IllegalArgumentException("an abort needs a status code other than OK");
      }
    }

    /** Every call waits {@code ms} (or until cancelled). */
    public static Rule delay(long ms) {
      return new Rule(100, ms, 0, null);
    }

    /** Every call fails with {@code code}. */
    public static Rule abort(Status.Code code) {
      return new Rule(0, 0, 100, code);
    }
  }

  private final Map<String, Rule> rules = new ConcurrentHashMap<>();
  private final List<Runnable> cancelListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong cancelledDuringDelay = new AtomicLong();

  /** Sets the rule for a full method name, a service name or {@code *}; replaces any earlier one. */
  public FaultInjector set(String target, Rule rule) {
    rules.put(target, rule);
    return this;
  }

  /** Removes the rule of {@code target}. */
  public void clear(String target) {
    rules.remove(target);
  }

  /** Removes every rule: calls pass untouched. */
  public void clearAll() {
    rules.clear();
  }

  /** Runs {@code listener} (on the delayed call's thread) each time a call is cancelled while delayed. */
  public void onCancelledDuringDelay(Runnable listener) {
    cancelListeners.add(listener);
  }

  /** Calls that reached this interceptor, faulted or not. */
  public long seenCalls() {
    return seen.get();
  }

  public long delayedCalls() {
    return delayed.get();
  }

  public long abortedCalls() {
    return aborted.get();
  }

  public long cancelledDuringDelay() {
    return cancelledDuringDelay.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    seen.incrementAndGet();
    if (rules.isEmpty()) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    Rule rule = rules.get(method);
    if (rule == null) {
      rule = rules.get(call.getMethodDescriptor().getServiceName());
    }
    if (rule == null) {
      rule = rules.get("*");
    }
    if (rule == null) {
      return next.startCall(call, headers);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (rule.delayMs() > 0 && random.nextDouble() * 100 < rule.delayPercent()) {
      delayed.incrementAndGet();
      if (!waitUnlessCancelled(rule.delayMs())) {
        cancelledDuringDelay.incrementAndGet();
        cancelListeners.forEach(Runnable::run);
        call.close(Status.CANCELLED.withDescription("cancelled during an injected delay"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    if (rule.abortPercent() > 0 && random.nextDouble() * 100 < rule.abortPercent()) {
      aborted.incrementAndGet();
      call.close(Status.fromCode(rule.abortCode()).withDescription("fault injected on " + method), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** Waits {@code ms} unless the current call's context is cancelled first; returns false when cancelled. */
  private static boolean waitUnlessCancelled(long ms) {
    Context context = Context.current();
    CountDownLatch cancelled = new CountDownLatch(1);
    Context.CancellationListener listener = c -> cancelled.countDown();
    context.addListener(listener, Runnable::run);
    try {
      return !cancelled.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      context.removeListener(listener);
    }
  }
}
