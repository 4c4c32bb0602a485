package io.rankingcluster.common.server;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.logging.Logger;

/**
 * A stage's warm-up as real calls: requests sent to the server's warm-up port over a plaintext
 * loopback channel, so that they pass netty, HTTP/2, protobuf and every interceptor before the
 * server reports SERVING; then a wait until the JIT compiler has caught up. A rank replica warmed
 * by calling its scorer in-process answered its first real calls so slowly that all 13 of them were
 * hedged away to the other replica (CANCELLED), and outlier detection ejected the new replica for
 * 10 s.
 */
final class WireWarmUp {
  private static final Logger LOG = Logger.getLogger(WireWarmUp.class.getName());

  private WireWarmUp() {}

  /**
   * At least {@code n} calls of {@code method} with {@code request.apply(i)} to {@code address}
   * (plaintext), then more in rounds of {@code max(10, n / 4)} while the median latency of a round
   * still falls (by 5% or more against the best round so far; two rounds in a row without that end
   * it), for at most {@code maxMillis} in all: a fixed count left the first minute of traffic
   * slower than the rest, and how many calls the JIT needs depends on the machine and the data.
   * Gives up after 5 failures in a row (the server still starts; its first calls are then slower).
   * Returns the calls that answered.
   */
  static <Req, Resp> int run(
      SocketAddress address,
      MethodDescriptor<Req, Resp> method,
      int n,
      IntFunction<Req> request,
      long maxMillis) {
    if (!(address instanceof InetSocketAddress inet)) {
      throw new IllegalArgumentException("the warm-up port is not a TCP address: " + address);
    }
    if (n <= 0) {
      return 0; // --warmup-requests 0: no warm-up at all
    }
    InetSocketAddress target =
        inet.getAddress().isAnyLocalAddress()
            ? new InetSocketAddress(InetAddress.getLoopbackAddress(), inet.getPort())
            : inet;
    ManagedChannel channel = NettyChannelBuilder.forAddress(target).usePlaintext().build();
    long start = System.nanoTime();
    long until = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    int round = Math.max(20, n / 4);
    long[] latencies = new long[round];
    int ok = 0;
    int calls = 0;
    int failuresInARow = 0;
    long first = -1;
    long best = Long.MAX_VALUE;
    int flat = 0;
    try {
      while (failuresInARow < 5 && (calls < n || (flat < 3 && System.nanoTime() < until))) {
        long t0 = System.nanoTime();
        try {
          ClientCalls.blockingUnaryCall(
              channel,
              method,
              CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
              request.apply(calls));
          ok++;
          failuresInARow = 0;
        } catch (StatusRuntimeException e) {
          failuresInARow++;
          LOG.warning("warm-up call " + method.getFullMethodName() + " failed: " + e.getStatus());
        }
        latencies[calls % round] = System.nanoTime() - t0;
        calls++;
        if (calls % round == 0) {
          long median = median(latencies);
          first = first < 0 ? median : first;
          if (median < best * 0.95) {
            best = median;
            flat = 0;
          } else if (calls >= n) {
            flat++;
          }
        }
      }
    } finally {
      channel.shutdownNow();
    }
    long firstMedian = first;
    long bestMedian = best;
    int made = calls;
    LOG.info(
        () ->
            String.format(
                java.util.Locale.ROOT,
                "warm-up of %s: %d calls in %d ms%s",
                method.getBareMethodName(),
                made,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                firstMedian < 0
                    ? ""
                    : String.format(
                        java.util.Locale.ROOT,
                        ", median per round of %d from %.2f ms to %.2f ms",
                        round,
                        firstMedian / 1e6,
                        bestMedian / 1e6)));
    return ok;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Waits, at most {@code maxMillis}, until the JIT compiler spends under a tenth of the time
   * compiling (measured over 100 ms steps): the warm-up queues methods for compilation, and calls
   * served while the compiler threads still take the cores run slowly. Returns the milliseconds
   * waited.
   */
  static long settleCompiler(long maxMillis) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return 0;
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    long before = jit.getTotalCompilationTime();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(
            100); // a measuring interval, not a wait for a state: the compile time is read after it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = jit.getTotalCompilationTime();
      if (now - before < 10) {
        break;
      }
      before = now;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  static SocketAddress firstAddress(List<? extends SocketAddress> addresses) {
    return addresses.isEmpty() ? null : addresses.get(0);
  }
}
