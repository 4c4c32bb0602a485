package io.rankingcluster.common.metrics;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * gRPC metrics under the names of go-grpc-prometheus, which stock Grafana gRPC dashboards query,
 * beside the project's own {@code ranking_grpc_*} series: {@code grpc_server_started_total}, {@code
 * grpc_server_handled_total} (with {@code grpc_code}), {@code grpc_server_msg_received_total},
 * {@code grpc_server_msg_sent_total}, {@code grpc_server_handling_seconds} (histogram), and the
 * {@code grpc_client_*} twins for the calls a service makes. Labels: {@code grpc_type} (unary,
 * client_stream, server_stream, bidi_stream), {@code grpc_service}, {@code grpc_method}, and {@code
 * grpc_code} on the handled counters; the histogram's buckets are go-grpc-prometheus's defaults (5
 * ms to 10 s).
 */
public final class StandardGrpcMetrics {
  /** go-grpc-prometheus's default buckets (Prometheus's DefBuckets), in seconds. */
  private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** The meter names, kept as they are (not moved under the project's ranking_ prefix). */
  static final java.util.Set<String> NAMES =
      java.util.Set.of(
          "grpc.server.started",
          "grpc.server.handled",
          "grpc.server.handling",
          "grpc.server.msg.received",
          "grpc.server.msg.sent",
          "grpc.client.started",
          "grpc.client.handled",
          "grpc.client.handling",
          "grpc.client.msg.received",
          "grpc.client.msg.sent");

  private StandardGrpcMetrics() {}

  /** One method's meters on one side, made once: a call only increments and records. */
  private static final class Meters {
    final Counter started;
    final Counter sent;
    final Counter received;
    final Timer handling;
    private final MeterRegistry registry;
    private final String side;
    private final String[] tags;
    private final Counter[] handled = new Counter[Status.Code.values().length];

    Meters(MeterRegistry registry, String side, MethodDescriptor<?, ?> m) {
      this.registry = registry;
      this.side = side;
      this.tags = tags(m);
      String who = side.equals("server") ? "on the server" : "on the client";
      started = counter(registry, "grpc." + side + ".started", "RPCs started " + who + ".", tags);
      sent =
          counter(
              registry,
              "grpc." + side + ".msg.sent",
              "gRPC stream messages sent " + who + ".",
              tags);
      received =
          counter(
              registry,
              "grpc." + side + ".msg.received",
              "RPC stream messages received " + who + ".",
              tags);
      handling =
          Timer.builder("grpc." + side + ".handling")
              .description(
                  "Response latency (seconds) of gRPC that had been application-level handled "
                      + who
                      + ".")
              .tags(tags)
              .serviceLevelObjectives(slos())
              .register(registry);
    }

    void handled(Status status, long nanos) {
      int code = status.getCode().ordinal();
      Counter c = handled[code];
      if (c == null) {
        String[] withCode = java.util.Arrays.copyOf(tags, tags.length + 2);
        withCode[tags.length] = "grpc_code";
        withCode[tags.length + 1] = codeName(status.getCode());
        c =
            counter(
                registry,
                "grpc." + side + ".handled",
                "RPCs completed " + side + "-side, regardless of success or" + " failure.",
                withCode);
        handled[code] = c; // a benign race: the registry returns the same counter to both
      }
      c.increment();
      handling.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts and times every call a server handles, into {@code registry}. */
  public static ServerInterceptor server(MeterRegistry registry) {
    java.util.Map<String, Meters> byMethod = new java.util.concurrent.ConcurrentHashMap<>();
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        MethodDescriptor<Q, A> m = call.getMethodDescriptor();
        Meters meters =
            byMethod.computeIfAbsent(m.getFullMethodName(), k -> new Meters(registry, "server", m));
        meters.started.increment();
        long start = System.nanoTime();
        ServerCall<Q, A> counted =
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void sendMessage(A message) {
                meters.sent.increment();
                super.sendMessage(message);
              }

              @Override
              public void close(Status status, Metadata trailers) {
                meters.handled(status, System.nanoTime() - start);
                super.close(status, trailers);
              }
            };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
            next.startCall(counted, headers)) {
          @Override
          public void onMessage(Q message) {
            meters.received.increment();
            super.onMessage(message);
          }
        };
      }
    };
  }

  /**
   * Counts and times every call made through the channel, into the registry {@code registry} gives
   * at call time (null: none yet, the call is not counted), so that stubs made before the metrics
   * exist still count.
   */
  public static ClientInterceptor client(Supplier<MeterRegistry> registry) {
    java.util.Map<String, Meters> byMethod = new java.util.concurrent.ConcurrentHashMap<>();
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(
          MethodDescriptor<Q, A> m, CallOptions options, Channel next) {
        MeterRegistry r = registry.get();
        if (r == null) {
          return next.newCall(m, options);
        }
        Meters meters =
            byMethod.computeIfAbsent(m.getFullMethodName(), k -> new Meters(r, "client", m));
        long start = System.nanoTime();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(m, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            meters.started.increment();
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onMessage(A message) {
                    meters.received.increment();
                    super.onMessage(message);
                  }

                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    meters.handled(status, System.nanoTime() - start);
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }

          @Override
          public void sendMessage(Q message) {
            meters.sent.increment();
            super.sendMessage(message);
          }
        };
      }
    };
  }

  private static Duration[] slos() {
    Duration[] out = new Duration[BUCKETS.length];
    for (int i = 0; i < BUCKETS.length; i++) {
      out[i] = Duration.ofNanos((long) (BUCKETS[i] * 1e9));
    }
    return out;
  }

  private static Counter counter(MeterRegistry r, String name, String description, String[] tags) {
    return Counter.builder(name).description(description).tags(tags).register(r);
  }

  private static String[] tags(MethodDescriptor<?, ?> m) {
    String service = MethodDescriptor.extractFullServiceName(m.getFullMethodName());
    return new String[] {
      "grpc_type",
      type(m.getType()),
      "grpc_service",
      service == null ? "" : service,
      "grpc_method",
      m.getBareMethodName() == null ? "" : m.getBareMethodName()
    };
  }

  private static String type(MethodDescriptor.MethodType t) {
    return switch (t) {
      case UNARY -> "unary";
      case CLIENT_STREAMING -> "client_stream";
      case SERVER_STREAMING -> "server_stream";
      case BIDI_STREAMING -> "bidi_stream";
      default -> "unknown";
    };
  }

  /**
   * go-grpc-prometheus labels codes by their Go names (OK, Canceled, Unknown, InvalidArgument,
   * ...).
   */
  static String codeName(Status.Code code) {
    return switch (code) {
      case OK -> "OK";
      case CANCELLED -> "Canceled";
      default -> {
        StringBuilder sb = new StringBuilder();
        for (String part : code.name().toLowerCase(Locale.ROOT).split("_")) {
          sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        yield sb.toString();
      }
    };
  }
}
