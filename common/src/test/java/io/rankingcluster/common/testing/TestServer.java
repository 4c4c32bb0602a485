package io.rankingcluster.common.testing;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.rankingcluster.common.metrics.Telemetry;
import io.rankingcluster.common.server.FaultInjector;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One service under test: its gRPC implementation in a {@link ManagedServer} with the production
 * lifecycle (interceptors, health, reflection, drain), in-process or on an ephemeral loopback port,
 * and a plaintext channel to it. Closing it closes the channel, stops the server and closes what
 * was handed to {@link #closeOnStop}.
 */
public final class TestServer implements AutoCloseable {
  private static final AtomicLong NAMES = new AtomicLong();

  /** Deadlines far above what a noisy shared machine needs; drains that do not hold a test up. */
  public static final String[] GENEROUS = {"--default-deadline-ms=5000", "--drain-seconds=1"};

  private final ManagedServer server;
  private final ManagedChannel channel;
  private final Telemetry telemetry;

  private TestServer(ManagedServer server, ManagedChannel channel, Telemetry telemetry) {
    this.server = server;
    this.channel = channel;
    this.telemetry = telemetry;
  }

  /** Starts {@code services} named {@code name} with {@link #GENEROUS} settings, in-process. */
  public static TestServer start(String name, BindableService... services) throws IOException {
    return start(
        name,
        false,
        ServerConfig.parse(GENEROUS),
        Telemetry.create(name),
        new FaultInjector(),
        List.of(services));
  }

  /**
   * Starts {@code services} under {@code config} (its port is ignored: in-process, or an ephemeral
   * loopback port), counting into {@code telemetry}, with {@code faults} between the interceptors
   * (a FaultInjector without rules passes every call).
   */
  public static TestServer start(
      String name,
      boolean loopback,
      ServerConfig config,
      Telemetry telemetry,
      FaultInjector faults,
      List<BindableService> services)
      throws IOException {
    String unique = name + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
    ServerBuilder<?> builder =
        loopback
            ? NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            : InProcessServerBuilder.forName(unique);
    ManagedServer server =
        new ManagedServer(name, builder, config, new ArrayList<>(services), telemetry, faults)
            .start(() -> {});
    ManagedChannel channel =
        loopback
            ? NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build()
            : InProcessChannelBuilder.forName(unique).build();
    return new TestServer(server, channel, telemetry);
  }

  public ManagedChannel channel() {
    return channel;
  }

  public ManagedServer server() {
    return server;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  /** The loopback port (in-process servers have none). */
  public int port() {
    return server.port();
  }

  public TestServer closeOnStop(AutoCloseable resource) {
    server.closeOnStop(resource);
    return this;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.stop();
  }
}
