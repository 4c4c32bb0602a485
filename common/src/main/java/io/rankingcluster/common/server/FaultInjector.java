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
 * A server interceptor that delays or aborts a share of calls, per method: the tool for testing how
 * the callers behave when a stage is slow or failing. No rule, no effect (one map lookup per call).
 *
 * <p>A rule applies to a full method name ({@code ranking.v1.RankService/Rank}), else to a service
 * ({@code ranking.v1.RankService}), else to {@code *}. A delayed call waits on the calling thread
 * until the delay ends or the call is cancelled (the caller's deadline or a client cancel); a call
 * cancelled while delayed is closed CANCELLED and counted, and {@link #onCancelledDuringDelay}
 * listeners run, so a test can see with a latch that cancellation reached the server. An abort
 * closes the call with the rule's status before the handler runs.
 */
public final class FaultInjector implements ServerInterceptor {
  /**
   * One fault: with probability {@code delayPercent}/100 wait {@code delayMs}, then with
   * probability {@code abortPercent}/100 close with {@code abortCode}.
   */
  public record Rule(
      double delayPercent, long delayMs, double abortPercent, Status.Code abortCode) {
    public Rule {
      if (!(delayPercent >= 0 && delayPercent <= 100)
          || !(abortPercent >= 0 && abortPercent <= 100)) {
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

  /**
   * Sets the rule for a full method name, a service name or {@code *}; replaces any earlier one.
   */
  public FaultInjector set(String target, Rule rule) {
    rules.put(target, rule);
    return this;
  }

  /** The rules in force, by target. */
  public Map<String, Rule> rules() {
    return Map.copyOf(rules);
  }

  /**
   * Rules from configuration: {@code target=delay:PERCENT:MS,abort:PERCENT:CODE}, targets separated
   * by ';', e.g. {@code ranking.v1.RankService/Rank=delay:20:200;*=abort:1:UNAVAILABLE}. Empty: no
   * rule.
   */
  public static FaultInjector fromSpec(String spec) {
    FaultInjector f = new FaultInjector();
    for (String entry : spec.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "fault entry '" + entry.trim() + "' is not target=delay:P:MS,abort:P:CODE");
      }
      double delayPercent = 0;
      long delayMs = 0;
      double abortPercent = 0;
      Status.Code code = null;
      for (String part : entry.substring(eq + 1).split(",")) {
        String[] p = part.trim().split(":");
        try {
          if (p.length == 3 && p[0].equals("delay")) {
            delayPercent = Double.parseDouble(p[1]);
            delayMs = Long.parseLong(p[2]);
          } else if (p.length == 3 && p[0].equals("abort")) {
            abortPercent = Double.parseDouble(p[1]);
            code = Status.Code.valueOf(p[2]);
          } else {
            throw new IllegalArgumentException(
                "fault part '" + part.trim() + "' is not delay:P:MS or abort:P:CODE");
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("fault part '" + part.trim() + "' has a bad number");
        }
      }
      f.set(entry.substring(0, eq).trim(), new Rule(delayPercent, delayMs, abortPercent, code));
    }
    return f;
  }

  /**
   * Honours Envoy-style fault headers on a call ({@code x-envoy-fault-delay-request} ms, {@code
   * x-envoy-fault-delay-request-percentage}, {@code x-envoy-fault-abort-grpc-request} status code
   * number, {@code x-envoy-fault-abort-request-percentage}; percentages default to 100) when {@code
   * authorized} accepts the call's headers (the admin token): one request can be made slow or
   * failing without touching the rules of everyone else.
   */
  public FaultInjector honourHeaders(java.util.function.Predicate<Metadata> authorized) {
    this.headerAuth = authorized;
    return this;
  }

  private volatile java.util.function.Predicate<Metadata> headerAuth;
  private static final Metadata.Key<String> DELAY =
      Metadata.Key.of("x-envoy-fault-delay-request", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> DELAY_PERCENT =
      Metadata.Key.of("x-envoy-fault-delay-request-percentage", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ABORT =
      Metadata.Key.of("x-envoy-fault-abort-grpc-request", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ABORT_PERCENT =
      Metadata.Key.of("x-envoy-fault-abort-request-percentage", Metadata.ASCII_STRING_MARSHALLER);

  /** The rule the call's fault headers ask for, or null (none, or not authorised). */
  private Rule headerRule(Metadata headers) {
    java.util.function.Predicate<Metadata> auth = headerAuth;
    if (auth == null
        || (!headers.containsKey(DELAY) && !headers.containsKey(ABORT))
        || !auth.test(headers)) {
      return null;
    }
    try {
      long delay = headers.containsKey(DELAY) ? Long.parseLong(headers.get(DELAY).trim()) : 0;
      double delayPercent =
          headers.containsKey(DELAY_PERCENT)
              ? Double.parseDouble(headers.get(DELAY_PERCENT).trim())
              : 100;
      Status.Code code =
          headers.containsKey(ABORT)
              ? Status.fromCodeValue(Integer.parseInt(headers.get(ABORT).trim())).getCode()
              : null;
      double abortPercent =
          code == null
              ? 0
              : headers.containsKey(ABORT_PERCENT)
                  ? Double.parseDouble(headers.get(ABORT_PERCENT).trim())
                  : 100;
      return new Rule(
          delay > 0 ? delayPercent : 0,
          delay,
          code == null || code == Status.Code.OK ? 0 : abortPercent,
          code == Status.Code.OK ? null : code);
    } catch (IllegalArgumentException e) {
      return null; // malformed fault headers are ignored, never an error for the call
    }
  }

  /** Removes the rule of {@code target}. */
  public void clear(String target) {
    rules.remove(target);
  }

  /** Removes every rule: calls pass untouched. */
  public void clearAll() {
    rules.clear();
  }

  /**
   * Runs {@code listener} (on the delayed call's thread) each time a call is cancelled while
   * delayed.
   */
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
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    seen.incrementAndGet();
    Rule fromHeaders = headerAuth == null ? null : headerRule(headers);
    if (rules.isEmpty() && fromHeaders == null) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    Rule rule = fromHeaders != null ? fromHeaders : rules.get(method);
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
        call.close(
            Status.CANCELLED.withDescription("cancelled during an injected delay"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    if (rule.abortPercent() > 0 && random.nextDouble() * 100 < rule.abortPercent()) {
      aborted.incrementAndGet();
      call.close(
          Status.fromCode(rule.abortCode()).withDescription("fault injected on " + method),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /**
   * Waits {@code ms} unless the current call's context is cancelled first; returns false when
   * cancelled.
   */
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
