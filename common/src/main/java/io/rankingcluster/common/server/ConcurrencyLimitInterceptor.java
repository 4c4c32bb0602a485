package io.rankingcluster.common.server;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sheds load: beyond the limit of calls in flight, a new call is answered RESOURCE_EXHAUSTED at
 * once rather than queued past its deadline. A call leaves the count when it completes or is
 * cancelled.
 *
 * <p>With a latency share above 0 the limit adapts (additive increase, multiplicative decrease, as
 * TCP does): a call that took longer than that share of its own deadline, or ended
 * DEADLINE_EXCEEDED or CANCELLED, lowers the limit by a tenth, down to a floor; any other call
 * raises it by 1/limit, up to the ceiling. A server whose calls queue for the CPU thus admits fewer
 * of them, and the admitted ones finish within their budgets instead of all of them finishing late
 * (measured at three times capacity: docs/reliability.md).
 *
 * <p>Installed with {@link #admission} as well, the decision is taken on the transport thread,
 * before a call waits for a request thread: a refused call is answered there at once instead of
 * after the admitted calls queued ahead of it (at three times capacity that wait was 15-20 ms).
 */
public final class ConcurrencyLimitInterceptor implements ServerInterceptor {
  private final int ceiling;
  private final int floor;
  private final double latencyShare;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** The adaptive limit (the ceiling when not adaptive); guarded by this. */
  private double limit;

  public ConcurrencyLimitInterceptor(int limit) {
    this(limit, 0, limit);
  }

  /**
   * @param latencyShare 0 for a fixed limit; else the share of a call's deadline beyond which it
   *     counts as slow
   * @param floor the lowest adaptive limit: a few slow calls at low load (a GC pause) must not
   *     refuse the next burst of a handful of calls
   */
  public ConcurrencyLimitInterceptor(int limit, double latencyShare, int floor) {
    this.ceiling = limit;
    this.floor = Math.max(1, Math.min(floor, limit));
    this.latencyShare = latencyShare;
    this.limit = limit;
  }

  /**
   * Set by {@link #admission} only (a client's copy is dropped first): the call was refused, or
   * admitted and already counted in flight.
   */
  static final Metadata.Key<String> ADMISSION =
      Metadata.Key.of("x-ranking-admission", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set by {@link #admission} only: System.nanoTime() when an admitted call reached the transport.
   */
  static final Metadata.Key<String> ARRIVED =
      Metadata.Key.of("x-ranking-arrived-ns", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * In an admitted call of a limited service: System.nanoTime() when it reached the transport,
   * before it waited for a request thread (null elsewhere). A handler that judges its own latency
   * against the deadline (the mixer's quality factor) counts from here, queue included: under
   * overload the queue is where the time goes.
   */
  public static final io.grpc.Context.Key<Long> ARRIVAL_NANOS =
      io.grpc.Context.key("ranking-arrival-nanos");

  private static final String REFUSED = "refused";
  private static final String ADMITTED = "admitted";

  /**
   * Chooses each call's executor on the transport thread (the server's default executor must then
   * be direct): a call of {@code limitedServices} over the limit stays on the transport thread and
   * is refused there by {@link #interceptCall}; an admitted one is counted now and runs on {@code
   * worker}, as do calls of other services (health, reflection, admin). Counting at admission, the
   * calls waiting in the worker's queue are in flight too, so that queue holds at most the limit
   * plus the unlimited calls. Calls of {@code transportServices} (cheap and non-blocking: health)
   * are answered on the transport thread, so that a probe is not queued behind busy request
   * threads.
   */
  public ServerCallExecutorSupplier admission(
      Executor worker, Set<String> limitedServices, Set<String> transportServices) {
    return new ServerCallExecutorSupplier() {
      @Override
      public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
        headers.discardAll(ADMISSION);
        headers.discardAll(ARRIVED);
        String service = call.getMethodDescriptor().getServiceName();
        if (!limitedServices.contains(service)) {
          return transportServices.contains(service) ? null : worker;
        }
        if (!tryAcquire()) {
          headers.put(ADMISSION, REFUSED);
          return null;
        }
        headers.put(ADMISSION, ADMITTED);
        headers.put(ARRIVED, Long.toString(System.nanoTime()));
        return worker;
      }
    };
  }

  private boolean tryAcquire() {
    if (inFlight.incrementAndGet() > limit()) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** The limit in force now. */
  public synchronized int limit() {
    return (int) Math.max(1, Math.floor(limit));
  }

  private synchronized void adapt(boolean slow) {
    limit = slow ? Math.max(floor, limit * 0.9) : Math.min(ceiling, limit + 1 / limit);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String admission = headers.get(ADMISSION);
    if (REFUSED.equals(admission) || (!ADMITTED.equals(admission) && !tryAcquire())) {
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "server overloaded: more than " + limit() + " calls in flight; retry with backoff"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    long start = System.nanoTime();
    io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
    long slowNanos =
        latencyShare <= 0 || deadline == null
            ? Long.MAX_VALUE
            : (long)
                (deadline.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS) * latencyShare);
    Status.Code[] closed = {null};
    ServerCall<ReqT, RespT> watched =
        latencyShare <= 0
            ? call
            : new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                closed[0] = status.getCode();
                super.close(status, trailers);
              }
            };
    ServerCall.Listener<ReqT> delegate;
    String arrived = headers.get(ARRIVED);
    try {
      delegate =
          arrived == null
              ? next.startCall(watched, headers)
              : io.grpc.Contexts.interceptCall(
                  io.grpc.Context.current().withValue(ARRIVAL_NANOS, Long.parseLong(arrived)),
                  watched,
                  headers,
                  next);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      private boolean done;

      private void release(boolean cancelled) {
        if (!done) {
          done = true;
          inFlight.decrementAndGet();
          if (latencyShare > 0) {
            Status.Code code = cancelled ? Status.Code.CANCELLED : closed[0];
            adapt(
                System.nanoTime() - start > slowNanos
                    || code == Status.Code.DEADLINE_EXCEEDED
                    || code == Status.Code.CANCELLED);
          }
        }
      }

      @Override
      public void onComplete() {
        release(false);
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release(true);
        super.onCancel();
      }
    };
  }
}
