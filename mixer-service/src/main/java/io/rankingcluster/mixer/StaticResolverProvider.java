package io.rankingcluster.mixer;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves {@code static:///host1:port1,host2:port2} to that fixed list of replicas, so that one
 * channel (with round_robin) spreads calls over a shard's or a stage's replicas without DNS: the
 * local multi-replica cluster and bare-metal deployments. Host names are resolved once, when the
 * channel starts; where membership changes, use {@code dns:///} instead (a headless Service on
 * Kubernetes).
 */
final class StaticResolverProvider extends NameResolverProvider {
  static final String SCHEME = "static";
  private static volatile boolean registered;

  /** Registers the provider with gRPC's default registry once per process. */
  static synchronized void register() {
    if (!registered) {
      NameResolverRegistry.getDefaultRegistry().register(new StaticResolverProvider());
      registered = true;
    }
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath() == null ? "" : targetUri.getPath();
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String hostPort : path.replaceFirst("^/", "").split(",")) {
      if (hostPort.isBlank()) {
        continue;
      }
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "static target " + targetUri + ": '" + hostPort + "' is not host:port");
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      groups.add(
          new EquivalentAddressGroup(new InetSocketAddress(hostPort.substring(0, colon), port)));
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("static target " + targetUri + " lists no address");
    }
    String authority = path.replaceFirst("^/", "").split(",")[0];
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
      }

      @Override
      public void shutdown() {}
    };
  }
}
