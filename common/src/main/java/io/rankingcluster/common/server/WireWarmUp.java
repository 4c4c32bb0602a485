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
   * {@code n} calls of {@code method} with {@code request.apply(i)} to {@code address} (plaintext).
   * Gives up after 5 failures in a row (the server still starts; its first calls are then slower).
   * Returns the calls that answered.
   */
  static <Req, Resp> int run(
      SocketAddress address, MethodDescriptor<Req, Resp> method, int n, IntFunction<Req> request) {
    if (!(address instanceof InetSocketAddress inet)) {
      throw new IllegalArgumentException("the warm-up port is not a TCP address: " + address);
    }
    InetSocketAddress target =
        inet.getAddress().isAnyLocalAddress()
            ? new InetSocketAddress(InetAddress.getLoopbackAddress(), inet.getPort())
            : inet;
    ManagedChannel channel = NettyChannelBuilder.forAddress(target).usePlaintext().build();
    int ok = 0;
    int failuresInARow = 0;
    try {
      for (int i = 0; i < n && failuresInARow < 5; i++) {
        try {
          ClientCalls.blockingUnaryCall(
              channel,
              method,
              CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
              request.apply(i));
          ok++;
          failuresInARow = 0;
        } catch (StatusRuntimeException e) {
          failuresInARow++;
          LOG.warning("warm-up call " + method.getFullMethodName() + " failed: " + e.getStatus());
        }
      }
    } finally {
      channel.shutdownNow();
    }
    return ok;
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
