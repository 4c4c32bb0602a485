package io.rankingcluster.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the schemas cannot see: that the Deployments, Services, autoscalers, disruption budgets and
 * the ConfigMap of one rendered overlay fit together and follow the project's rules
 * (docs/decisions/0011-kubernetes.md). Each problem names the resource and what is wrong; an empty
 * list means the overlay passes.
 */
final class ManifestRules {
  static final String NAME = "app.kubernetes.io/name";
  static final String SHARD = "rankingcluster.io/shard";
  private static final Set<String> STATELESS =
      Set.of("mixer-service", "prerank-service", "rank-service");
  private static final Set<String> JVM_VARIABLES = Set.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");
  private static final Pattern LABEL_REF = Pattern.compile("metadata\\.labels\\['([^']+)'\\]");

  private final Map<String, ServiceOptions> options;
  private final Set<String> externalSecrets;
  private final List<String> problems = new ArrayList<>();
  private final List<Deployment> deployments = new ArrayList<>();
  private final List<Service> services = new ArrayList<>();
  private final List<HorizontalPodAutoscaler> hpas = new ArrayList<>();
  private final List<PodDisruptionBudget> pdbs = new ArrayList<>();
  private final Map<String, ConfigMap> configMaps = new HashMap<>();
  private final Map<String, Secret> secrets = new HashMap<>();
  private final Set<String> claims = new HashSet<>();

  /** ConfigMap keys some container reads, as "configmap/key". */
  private final Set<String> keysRead = new HashSet<>();

  /**
   * Per Deployment: its service's settings as the container will see them (env resolved, defaults
   * filled).
   */
  private final Map<String, Settings> settings = new LinkedHashMap<>();

  /** One Deployment's service: its options, resolved environment and the ports it listens on. */
  record Settings(
      Deployment deployment,
      ServiceOptions service,
      Map<String, String> env,
      String host,
      int port,
      boolean hostNetwork) {
    String get(String option) {
      String v = env.get(service.var(option));
      return v != null ? v : service.defaultOf(service.var(option));
    }

    String app() {
      return service.name();
    }

    String shard() {
      Map<String, String> l = deployment.getSpec().getTemplate().getMetadata().getLabels();
      return l == null ? null : l.get(SHARD);
    }
  }

  ManifestRules(
      List<HasMetadata> resources,
      Map<String, ServiceOptions> options,
      Set<String> externalSecrets) {
    this.options = options;
    this.externalSecrets = externalSecrets;
    for (HasMetadata r : resources) {
      if (r instanceof Deployment d) {
        deployments.add(d);
      } else if (r instanceof Service s) {
        services.add(s);
      } else if (r instanceof HorizontalPodAutoscaler h) {
        hpas.add(h);
      } else if (r instanceof PodDisruptionBudget p) {
        pdbs.add(p);
      } else if (r instanceof ConfigMap c) {
        configMaps.put(c.getMetadata().getName(), c);
      } else if (r instanceof Secret s) {
        secrets.put(s.getMetadata().getName(), s);
      } else if (r instanceof PersistentVolumeClaim p) {
        claims.add(p.getMetadata().getName());
      }
    }
  }

  List<String> check() {
    if (deployments.isEmpty()) {
      problems.add("no Deployment rendered");
    }
    deployments.forEach(this::deployment);
    shards();
    mixerTargets();
    services.forEach(this::service);
    hpas.forEach(this::hpa);
    pdbs.forEach(this::pdb);
    coverage();
    for (ConfigMap c : configMaps.values()) {
      for (String key : Optional.ofNullable(c.getData()).orElse(Map.of()).keySet()) {
        if (!keysRead.contains(c.getMetadata().getName() + "/" + key)) {
          problems.add(
              "ConfigMap/"
                  + c.getMetadata().getName()
                  + ": key "
                  + key
                  + " is read by no container");
        }
      }
    }
    return problems;
  }

  private void problem(String where, String what) {
    problems.add(where + ": " + what);
  }

  private static Map<String, String> labels(HasMetadata r) {
    return Optional.ofNullable(r.getMetadata().getLabels()).orElse(Map.of());
  }

  private static Map<String, String> podLabels(Deployment d) {
    return Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getLabels())
        .orElse(Map.of());
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels.entrySet().containsAll(selector.entrySet());
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  // ---- Deployments

  private void deployment(Deployment d) {
    String name = d.getMetadata().getName();
    String where = "Deployment/" + name;
    String app = labels(d).get(NAME);
    ServiceOptions svc = options.get(app);
    if (svc == null) {
      problem(
          where,
          "label "
              + NAME
              + "="
              + app
              + " names no module (one of "
              + ServiceOptions.SERVICES
              + ")");
      return;
    }
    Map<String, String> pod = podLabels(d);
    String shard = pod.get(SHARD);
    String expected = app.equals("recall-service") ? app + "-" + shard : app;
    if (app.equals("recall-service") && shard == null) {
      problem(where, "a recall Deployment needs the " + SHARD + " label on its pods");
    }
    if (!name.equals(expected)) {
      problem(
          where,
          "named "
              + name
              + ", but one name everywhere (module = image = Deployment = Service = label) makes it"
              + " "
              + expected);
    }
    if (!app.equals(pod.get(NAME))) {
      problem(where, "pod template label " + NAME + " is " + pod.get(NAME) + ", not " + app);
    }
    Map<String, String> selector =
        d.getSpec().getSelector() == null ? null : d.getSpec().getSelector().getMatchLabels();
    if (!selects(selector, pod)) {
      problem(
          where, "selector " + selector + " does not select its own pod template's labels " + pod);
    } else if (!app.equals(selector.get(NAME))
        || (shard != null && !shard.equals(selector.get(SHARD)))) {
      problem(
          where,
          "selector " + selector + " must name " + NAME + (shard != null ? " and " + SHARD : ""));
    }
    PodSpec ps = d.getSpec().getTemplate().getSpec();
    Optional<Container> mainC =
        list(ps.getContainers()).stream().filter(c -> app.equals(c.getName())).findFirst();
    if (mainC.isEmpty()) {
      problem(where, "no container named " + app + " (the module's name)");
      return;
    }
    Container main = mainC.get();
    boolean hostNetwork = Boolean.TRUE.equals(ps.getHostNetwork());

    // Pod and container security, images, resources.
    if (ps.getSecurityContext() == null
        || !Boolean.TRUE.equals(ps.getSecurityContext().getRunAsNonRoot())
        || ps.getSecurityContext().getRunAsUser() == null
        || ps.getSecurityContext().getRunAsUser() == 0) {
      problem(
          where,
          "the pod must run as non-root (securityContext.runAsNonRoot: true and a runAsUser other"
              + " than 0)");
    }
    for (Container c :
        Stream.concat(list(ps.getInitContainers()).stream(), list(ps.getContainers()).stream())
            .toList()) {
      String cw = where + " container " + c.getName();
      image(cw, c.getImage(), app);
      resources(cw, c.getResources());
      SecurityContext sc = c.getSecurityContext();
      if (sc == null
          || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())
          || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())
          || sc.getCapabilities() == null
          || !list(sc.getCapabilities().getDrop()).contains("ALL")) {
        problem(
            cw,
            "needs securityContext readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,"
                + " capabilities.drop [ALL]");
      }
      volumeMounts(cw, c, ps);
    }
    volumes(where, ps);

    // The service's settings as its process will see them.
    Map<String, String> env = env(where + " container " + app, main, svc, pod);
    String host = env.getOrDefault(svc.var("HOST"), svc.defaultOf(svc.var("HOST")));
    int port =
        number(
            where,
            svc.var("PORT"),
            env.getOrDefault(svc.var("PORT"), svc.defaultOf(svc.var("PORT"))));
    Settings s = new Settings(d, svc, env, host, port, hostNetwork);
    settings.put(name, s);
    if (hostNetwork && !host.startsWith("127.")) {
      problem(where, "on the host's network it must listen on loopback, not " + host);
    } else if (!hostNetwork && !host.equals("0.0.0.0")) {
      problem(
          where,
          svc.var("HOST")
              + " is "
              + host
              + ": probes and other pods reach the pod's address, so listen on 0.0.0.0");
    }
    int metricsSetting = number(where, svc.var("METRICS_PORT"), s.get("METRICS_PORT"));
    int metrics = metricsSetting == -1 ? port + 1000 : metricsSetting;
    int health = number(where, svc.var("HEALTH_PORT"), s.get("HEALTH_PORT"));
    boolean tls = !s.get("TLS_CERT").isEmpty();
    if (tls && health == 0) {
      problem(
          where,
          "TLS is on ("
              + svc.var("TLS_CERT")
              + ") but there is no "
              + svc.var("HEALTH_PORT")
              + ": the kubelet's gRPC probes speak plaintext");
    }
    ports(where, main, port, metrics, health, hostNetwork);
    probes(where, main, health > 0 ? health : port, tls);
    Map<String, String> annotations =
        Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getAnnotations())
            .orElse(Map.of());
    if ("true".equals(annotations.get("prometheus.io/scrape"))
        && !String.valueOf(metrics).equals(annotations.get("prometheus.io/port"))) {
      problem(
          where,
          "prometheus.io/port is "
              + annotations.get("prometheus.io/port")
              + " but metrics are served on "
              + metrics);
    }
    drain(where, main, ps, number(where, svc.var("DRAIN_SECONDS"), s.get("DRAIN_SECONDS")));
    String age = env.get(svc.var("MAX_CONNECTION_AGE_SECONDS"));
    if (age == null || number(where, svc.var("MAX_CONNECTION_AGE_SECONDS"), age) <= 0) {
      problem(
          where,
          "set "
              + svc.var("MAX_CONNECTION_AGE_SECONDS")
              + " > 0: clients resolving dns:/// find pods added by"
              + " scaling only when the server ends their connection");
    }
    jvm(where, main, env);
    snapshot(where, ps, main, s.get("SNAPSHOT_ROOT"));
  }

  private void image(String where, String image, String app) {
    Matcher m =
        Pattern.compile("^(?:.*/)?([^/:@]+)(?::([^/@]+))?(?:@sha256:[0-9a-f]{64})?$")
            .matcher(image == null ? "" : image);
    if (!m.matches()) {
      problem(where, "image " + image + " is not an image reference");
      return;
    }
    if (!m.group(1).equals(app)) {
      problem(where, "image " + image + " is not named as the module (" + app + ")");
    }
    if (!image.contains("@sha256:") && (m.group(2) == null || m.group(2).equals("latest"))) {
      problem(where, "image " + image + " needs a tag other than latest (or a digest)");
    }
  }

  private void resources(String where, ResourceRequirements r) {
    for (String kind : List.of("cpu", "memory")) {
      Quantity req = r == null || r.getRequests() == null ? null : r.getRequests().get(kind);
      Quantity lim = r == null || r.getLimits() == null ? null : r.getLimits().get(kind);
      if (req == null || lim == null) {
        problem(where, "needs resources.requests." + kind + " and resources.limits." + kind);
      } else if (Quantity.getAmountInBytes(req).compareTo(Quantity.getAmountInBytes(lim)) > 0) {
        problem(where, kind + " request " + req + " exceeds its limit " + lim);
      }
    }
  }

  private void volumeMounts(String where, Container c, PodSpec ps) {
    Set<String> names = new HashSet<>();
    list(ps.getVolumes()).forEach(v -> names.add(v.getName()));
    for (VolumeMount m : list(c.getVolumeMounts())) {
      if (!names.contains(m.getName())) {
        problem(where, "mounts volume " + m.getName() + ", which the pod does not declare");
      }
    }
  }

  private void volumes(String where, PodSpec ps) {
    Set<String> mounted = new HashSet<>();
    Stream.concat(list(ps.getInitContainers()).stream(), list(ps.getContainers()).stream())
        .forEach(c -> list(c.getVolumeMounts()).forEach(m -> mounted.add(m.getName())));
    for (Volume v : list(ps.getVolumes())) {
      if (!mounted.contains(v.getName())) {
        problem(where, "volume " + v.getName() + " is mounted by no container");
      }
      if (v.getConfigMap() != null) {
        ConfigMap cm = configMaps.get(v.getConfigMap().getName());
        if (cm == null) {
          problem(
              where,
              "volume "
                  + v.getName()
                  + " names ConfigMap "
                  + v.getConfigMap().getName()
                  + ", which is not rendered");
        } else {
          for (var item : list(v.getConfigMap().getItems())) {
            if (cm.getData() == null || !cm.getData().containsKey(item.getKey())) {
              problem(
                  where,
                  "volume "
                      + v.getName()
                      + " takes key "
                      + item.getKey()
                      + ", which ConfigMap "
                      + cm.getMetadata().getName()
                      + " does not have");
            }
            keysRead.add(cm.getMetadata().getName() + "/" + item.getKey());
          }
        }
      }
      if (v.getSecret() != null) {
        secret(where + " volume " + v.getName(), v.getSecret().getSecretName(), null);
      }
      if (v.getPersistentVolumeClaim() != null
          && !claims.contains(v.getPersistentVolumeClaim().getClaimName())) {
        problem(
            where,
            "volume "
                + v.getName()
                + " claims "
                + v.getPersistentVolumeClaim().getClaimName()
                + ", which is not rendered");
      }
    }
  }

  private void secret(String where, String name, String key) {
    Secret s = secrets.get(name);
    if (s == null) {
      if (!externalSecrets.contains(name)) {
        problem(
            where,
            "Secret "
                + name
                + " is neither rendered nor one the overlay expects from the platform "
                + externalSecrets);
      }
      return;
    }
    boolean has =
        (s.getData() != null && s.getData().containsKey(key))
            || (s.getStringData() != null && s.getStringData().containsKey(key));
    if (key != null && !has) {
      problem(where, "Secret " + name + " has no key " + key);
    }
  }

  /**
   * The container's environment: literal values, ConfigMap keys and pod labels resolved; a Secret's
   * value is "<secret>".
   */
  private Map<String, String> env(
      String where, Container c, ServiceOptions svc, Map<String, String> podLabels) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : list(c.getEnv())) {
      String n = e.getName();
      if (env.containsKey(n)) {
        problem(where, "sets " + n + " twice");
      }
      if (!JVM_VARIABLES.contains(n) && !svc.accepts(n)) {
        Optional<String> other =
            options.values().stream()
                .filter(o -> o.accepts(n))
                .map(ServiceOptions::name)
                .findFirst();
        problem(
            where,
            n
                + " is not a setting of "
                + svc.name()
                + other
                    .map(o -> " (it is one of " + o + ")")
                    .orElse(" (a variable no option reads is ignored, and the default applies)"));
      }
      env.put(n, value(where, n, e, podLabels));
    }
    return env;
  }

  private String value(String where, String n, EnvVar e, Map<String, String> podLabels) {
    EnvVarSource from = e.getValueFrom();
    if (from == null) {
      return Objects.requireNonNullElse(e.getValue(), "");
    }
    if (from.getConfigMapKeyRef() != null) {
      String cmName = from.getConfigMapKeyRef().getName();
      String key = from.getConfigMapKeyRef().getKey();
      keysRead.add(cmName + "/" + key);
      ConfigMap cm = configMaps.get(cmName);
      if (cm == null || cm.getData() == null || !cm.getData().containsKey(key)) {
        problem(
            where,
            n
                + " reads key "
                + key
                + " of ConfigMap "
                + cmName
                + ", which "
                + (cm == null ? "is not rendered" : "has no such key"));
        return "";
      }
      return cm.getData().get(key);
    }
    if (from.getSecretKeyRef() != null) {
      secret(where + " " + n, from.getSecretKeyRef().getName(), from.getSecretKeyRef().getKey());
      return "<secret>";
    }
    if (from.getFieldRef() != null) {
      Matcher m = LABEL_REF.matcher(from.getFieldRef().getFieldPath());
      if (m.matches()) {
        String v = podLabels.get(m.group(1));
        if (v == null) {
          problem(
              where,
              n + " reads pod label " + m.group(1) + ", which the pod template does not have");
        }
        return v == null ? "" : v;
      }
      return "<" + from.getFieldRef().getFieldPath() + ">";
    }
    problem(where, n + ": a valueFrom this check does not know");
    return "";
  }

  private int number(String where, String variable, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      problem(where, variable + " is '" + value + "', not a number");
      return -2;
    }
  }

  private void ports(
      String where, Container main, int port, int metrics, int health, boolean hostNetwork) {
    Map<String, Integer> named = new HashMap<>();
    for (ContainerPort p : list(main.getPorts())) {
      if (p.getName() == null) {
        problem(where, "container port " + p.getContainerPort() + " has no name");
      } else if (named.put(p.getName(), p.getContainerPort()) != null) {
        problem(where, "two container ports named " + p.getName());
      }
    }
    if (named.isEmpty()) {
      if (!hostNetwork) {
        problem(where, "declares no container ports (grpc, metrics)");
      }
      return;
    }
    expectPort(where, named, "grpc", port);
    if (metrics > 0) {
      expectPort(where, named, "metrics", metrics);
    }
    if (health > 0) {
      expectPort(where, named, "health", health);
    }
  }

  private void expectPort(String where, Map<String, Integer> named, String name, int port) {
    if (!named.containsKey(name)) {
      problem(where, "no container port named " + name + " (the service listens on " + port + ")");
    } else if (named.get(name) != port) {
      problem(
          where,
          "container port "
              + name
              + " is "
              + named.get(name)
              + " but the service listens on "
              + port);
    }
  }

  private void probes(String where, Container main, int healthPort, boolean tls) {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("startupProbe", main.getStartupProbe());
    probes.put("readinessProbe", main.getReadinessProbe());
    probes.put("livenessProbe", main.getLivenessProbe());
    for (Map.Entry<String, Probe> e : probes.entrySet()) {
      Probe p = e.getValue();
      if (p == null) {
        problem(where, "has no " + e.getKey());
      } else if (p.getGrpc() == null
          || p.getExec() != null
          || p.getHttpGet() != null
          || p.getTcpSocket() != null) {
        problem(
            where, e.getKey() + " must be a native gRPC probe (grpc.health.v1) and nothing else");
      } else if (p.getGrpc().getPort() == null || p.getGrpc().getPort() != healthPort) {
        problem(
            where,
            e.getKey()
                + " asks port "
                + p.getGrpc().getPort()
                + ", but the service answers health on "
                + healthPort
                + (tls ? " (TLS is on: the plaintext health-only port)" : ""));
      }
    }
  }

  private void drain(String where, Container main, PodSpec ps, int drainSeconds) {
    LifecycleHandler pre = main.getLifecycle() == null ? null : main.getLifecycle().getPreStop();
    long pause = -1;
    if (pre != null && pre.getSleep() != null && pre.getSleep().getSeconds() != null) {
      pause = pre.getSleep().getSeconds();
    } else if (pre != null && pre.getExec() != null) {
      List<String> cmd = list(pre.getExec().getCommand());
      if (cmd.size() == 2 && cmd.get(0).endsWith("/sleep") && cmd.get(1).matches("\\d+")) {
        pause = Long.parseLong(cmd.get(1));
      }
    }
    if (pause <= 0) {
      problem(
          where,
          "needs a preStop pause (exec [/bin/sleep, N] or sleep.seconds) so endpoints and DNS drop"
              + " the pod first");
      pause = 0;
    }
    long grace =
        ps.getTerminationGracePeriodSeconds() == null ? 30 : ps.getTerminationGracePeriodSeconds();
    if (grace <= pause + drainSeconds) {
      problem(
          where,
          "terminationGracePeriodSeconds "
              + grace
              + " must exceed the preStop pause ("
              + pause
              + " s) plus the drain ("
              + drainSeconds
              + " s), or the kubelet's SIGKILL cuts the drain short");
    }
  }

  private void jvm(String where, Container main, Map<String, String> env) {
    String opts =
        JVM_VARIABLES.stream()
            .map(env::get)
            .filter(Objects::nonNull)
            .reduce("", (a, b) -> a + " " + b);
    if (!opts.contains("-XX:MaxRAMPercentage=")) {
      problem(
          where,
          "JDK_JAVA_OPTIONS must size the heap from the container's memory limit"
              + " (-XX:MaxRAMPercentage=...)");
    }
    if (opts.matches(".*-Xm[xs]\\S*.*")) {
      problem(
          where,
          "a fixed -Xmx/-Xms ignores the container's memory limit; use -XX:MaxRAMPercentage");
    }
  }

  private void snapshot(String where, PodSpec ps, Container main, String root) {
    Map<String, Volume> volumes = new HashMap<>();
    list(ps.getVolumes()).forEach(v -> volumes.put(v.getName(), v));
    boolean tmp =
        list(main.getVolumeMounts()).stream()
            .anyMatch(
                m ->
                    m.getMountPath().equals("/tmp")
                        && volumes.containsKey(m.getName())
                        && volumes.get(m.getName()).getEmptyDir() != null);
    if (!tmp) {
      problem(
          where,
          "needs an emptyDir at /tmp: the root filesystem is read-only and netty and ONNX Runtime"
              + " unpack native libraries there");
    }
    Optional<VolumeMount> data =
        list(main.getVolumeMounts()).stream()
            .filter(m -> m.getMountPath().equals(root))
            .findFirst();
    if (data.isEmpty()) {
      problem(where, "the snapshot root " + root + " is not a volume mount of the service");
      return;
    }
    if (!Boolean.TRUE.equals(data.get().getReadOnly())) {
      problem(where, "the service mounts its snapshot " + root + " writable; it only reads it");
    }
    boolean loaded =
        list(ps.getInitContainers()).stream()
            .anyMatch(
                c ->
                    list(c.getVolumeMounts()).stream()
                        .anyMatch(
                            m ->
                                m.getName().equals(data.get().getName())
                                    && !Boolean.TRUE.equals(m.getReadOnly())));
    if (!loaded) {
      problem(
          where,
          "no init container writes the snapshot volume " + data.get().getName() + " (the loader)");
    }
  }

  // ---- Recall shards and the mixer's targets

  private List<Settings> of(String app) {
    return settings.values().stream().filter(s -> s.app().equals(app)).toList();
  }

  private void shards() {
    List<Settings> recall = of("recall-service");
    Set<String> seen = new HashSet<>();
    for (Settings s : recall) {
      String where = "Deployment/" + s.deployment().getMetadata().getName();
      String index = s.get("SHARD_INDEX");
      if (!index.equals(s.shard())) {
        problem(
            where,
            "RECALL_SHARD_INDEX is "
                + index
                + " but the pods are labelled "
                + SHARD
                + "="
                + s.shard());
      }
      if (!seen.add(index)) {
        problem(where, "shard " + index + " has two Deployments");
      }
      if (!s.get("SHARD_COUNT").equals(String.valueOf(recall.size()))) {
        problem(
            where,
            "RECALL_SHARD_COUNT is "
                + s.get("SHARD_COUNT")
                + " but "
                + recall.size()
                + " shard Deployments are rendered");
      }
      try {
        int i = Integer.parseInt(index);
        if (i < 0 || i >= recall.size()) {
          problem(where, "shard index " + i + " is outside [0, " + recall.size() + ")");
        }
      } catch (NumberFormatException e) {
        problem(where, "shard index '" + index + "' is not a number");
      }
    }
  }

  private void mixerTargets() {
    for (Settings m : of("mixer-service")) {
      String where = "Deployment/" + m.deployment().getMetadata().getName();
      String[] shardTargets = m.get("RECALL_TARGETS").split(",");
      int shards = of("recall-service").size();
      if (shardTargets.length != shards) {
        problem(
            where,
            "MIXER_RECALL_TARGETS lists "
                + shardTargets.length
                + " shards but "
                + shards
                + " are rendered");
      }
      for (int i = 0; i < shardTargets.length; i++) {
        for (String replica : shardTargets[i].split("\\|")) {
          String shard = String.valueOf(i);
          target(
              where,
              m,
              "MIXER_RECALL_TARGETS shard " + i,
              replica.trim(),
              s -> s.app().equals("recall-service") && shard.equals(s.shard()),
              "recall shard " + i);
        }
      }
      target(
          where,
          m,
          "MIXER_PRERANK_TARGET",
          m.get("PRERANK_TARGET"),
          s -> s.app().equals("prerank-service"),
          "prerank-service");
      target(
          where,
          m,
          "MIXER_RANK_TARGET",
          m.get("RANK_TARGET"),
          s -> s.app().equals("rank-service"),
          "rank-service");
    }
  }

  /**
   * A target must reach the pods of the stage it is for: a headless Service's name, or a loopback
   * port on the host's network.
   */
  private void target(
      String where,
      Settings mixer,
      String what,
      String target,
      java.util.function.Predicate<Settings> wanted,
      String stage) {
    Matcher dns =
        Pattern.compile("^dns:///([a-z0-9-]+)(?:\\.[a-z0-9.-]+)?:(\\d+)$").matcher(target);
    Matcher plain = Pattern.compile("^([0-9.]+|localhost):(\\d+)$").matcher(target);
    if (dns.matches()) {
      String name = dns.group(1);
      int port = Integer.parseInt(dns.group(2));
      Optional<Service> svc =
          services.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst();
      if (svc.isEmpty()) {
        problem(where, what + " " + target + " names Service " + name + ", which is not rendered");
        return;
      }
      if (!"None".equals(svc.get().getSpec().getClusterIP())) {
        problem(
            where,
            what
                + " "
                + target
                + ": Service "
                + name
                + " is not headless; dns:/// would see one virtual IP and"
                + " balance nothing");
      }
      List<Settings> behind =
          settings.values().stream()
              .filter(s -> selects(svc.get().getSpec().getSelector(), podLabels(s.deployment())))
              .toList();
      if (behind.isEmpty() || !behind.stream().allMatch(wanted)) {
        problem(
            where,
            what
                + " "
                + target
                + " reaches "
                + behind.stream().map(s -> s.deployment().getMetadata().getName()).toList()
                + ", not "
                + stage);
      }
      for (Settings s : behind) {
        if (s.port() != port) {
          problem(
              where,
              what
                  + " "
                  + target
                  + ": its pods listen on "
                  + s.port()
                  + " (a headless Service's clients connect to"
                  + " the pods' own port)");
        }
      }
    } else if (plain.matches()) {
      int port = Integer.parseInt(plain.group(2));
      if (!mixer.hostNetwork()) {
        problem(
            where,
            what + " " + target + " is a fixed address; in a cluster use dns:///<service>:<port>");
        return;
      }
      List<Settings> at =
          settings.values().stream()
              .filter(s -> s.hostNetwork() && s.port() == port && s.host().equals(plain.group(1)))
              .toList();
      if (at.size() != 1 || !wanted.test(at.get(0))) {
        problem(
            where,
            what
                + " "
                + target
                + " reaches "
                + at.stream().map(s -> s.deployment().getMetadata().getName()).toList()
                + ", not "
                + stage);
      }
    } else {
      problem(where, what + " '" + target + "' is neither dns:///<service>:<port> nor host:port");
    }
  }

  // ---- Services, autoscalers, disruption budgets

  private Optional<Deployment> deploymentNamed(String name) {
    return deployments.stream().filter(d -> d.getMetadata().getName().equals(name)).findFirst();
  }

  private void service(Service s) {
    String name = s.getMetadata().getName();
    String where = "Service/" + name;
    Optional<Deployment> d = deploymentNamed(name);
    if (d.isEmpty()) {
      problem(where, "no Deployment of the same name (one name everywhere)");
      return;
    }
    if (!Objects.equals(labels(s).get(NAME), labels(d.get()).get(NAME))) {
      problem(where, "label " + NAME + " differs from its Deployment's");
    }
    if (!"None".equals(s.getSpec().getClusterIP())) {
      problem(
          where,
          "must be headless (clusterIP: None): clients balance over the pods with dns:/// and"
              + " round_robin");
    }
    List<Deployment> selected =
        deployments.stream().filter(x -> selects(s.getSpec().getSelector(), podLabels(x))).toList();
    if (selected.size() != 1 || selected.get(0) != d.get()) {
      problem(
          where,
          "selector "
              + s.getSpec().getSelector()
              + " selects "
              + selected.stream().map(x -> x.getMetadata().getName()).toList()
              + ", not exactly Deployment/"
              + name);
      return;
    }
    Settings st = settings.get(name);
    Container main =
        list(d.get().getSpec().getTemplate().getSpec().getContainers()).stream()
            .filter(c -> c.getName().equals(labels(d.get()).get(NAME)))
            .findFirst()
            .orElse(null);
    if (main == null || st == null) {
      return;
    }
    for (ServicePort p : list(s.getSpec().getPorts())) {
      IntOrString target = p.getTargetPort();
      Optional<ContainerPort> cp =
          list(main.getPorts()).stream()
              .filter(
                  c ->
                      target == null
                          ? Objects.equals(c.getContainerPort(), p.getPort())
                          : target.getStrVal() != null
                              ? target.getStrVal().equals(c.getName())
                              : Objects.equals(target.getIntVal(), c.getContainerPort()))
              .findFirst();
      if (cp.isEmpty()) {
        problem(
            where,
            "port "
                + p.getName()
                + " targets "
                + (target == null ? p.getPort() : target.getValue())
                + ", which is no container port of "
                + name);
      } else if (!Objects.equals(cp.get().getContainerPort(), p.getPort())) {
        problem(
            where,
            "port "
                + p.getName()
                + " is "
                + p.getPort()
                + " but the pods listen on "
                + cp.get().getContainerPort()
                + " (headless: clients connect to the pods' port directly)");
      }
    }
  }

  private void hpa(HorizontalPodAutoscaler h) {
    String name = h.getMetadata().getName();
    String where = "HorizontalPodAutoscaler/" + name;
    var ref = h.getSpec().getScaleTargetRef();
    Optional<Deployment> d = deploymentNamed(ref.getName());
    if (!"Deployment".equals(ref.getKind())
        || !"apps/v1".equals(ref.getApiVersion())
        || d.isEmpty()) {
      problem(
          where,
          "scales "
              + ref.getApiVersion()
              + " "
              + ref.getKind()
              + " "
              + ref.getName()
              + ", which is not a rendered Deployment");
      return;
    }
    if (!name.equals(ref.getName())) {
      problem(
          where,
          "scales Deployment/" + ref.getName() + "; one name everywhere wants the same name");
    }
    String app = labels(d.get()).get(NAME);
    if (!Objects.equals(labels(h).get(NAME), app)) {
      problem(
          where, "label " + NAME + " is " + labels(h).get(NAME) + ", its Deployment's is " + app);
    }
    if (!STATELESS.contains(app)) {
      problem(where, app + " is not stateless: its replicas are fixed per shard");
    }
    if (d.get().getSpec().getReplicas() != null) {
      problem(
          where,
          "Deployment/"
              + ref.getName()
              + " sets replicas: every apply would reset what the autoscaler chose");
    }
    Integer min = h.getSpec().getMinReplicas();
    if (min == null || min < 1 || min > h.getSpec().getMaxReplicas()) {
      problem(
          where,
          "minReplicas "
              + min
              + " must be in [1, maxReplicas "
              + h.getSpec().getMaxReplicas()
              + "]");
    }
    for (MetricSpec m : list(h.getSpec().getMetrics())) {
      if (m.getResource() != null) {
        String res = m.getResource().getName();
        boolean requested =
            list(d.get().getSpec().getTemplate().getSpec().getContainers()).stream()
                .allMatch(
                    c ->
                        c.getResources() != null
                            && c.getResources().getRequests() != null
                            && c.getResources().getRequests().containsKey(res));
        if (!requested) {
          problem(
              where, "scales on " + res + " utilization, but not every container requests " + res);
        }
      }
    }
  }

  private void pdb(PodDisruptionBudget p) {
    String name = p.getMetadata().getName();
    String where = "PodDisruptionBudget/" + name;
    Map<String, String> sel =
        p.getSpec().getSelector() == null ? null : p.getSpec().getSelector().getMatchLabels();
    List<Deployment> selected =
        deployments.stream().filter(d -> selects(sel, podLabels(d))).toList();
    if (selected.size() != 1 || !selected.get(0).getMetadata().getName().equals(name)) {
      problem(
          where,
          "selector "
              + sel
              + " selects "
              + selected.stream().map(d -> d.getMetadata().getName()).toList()
              + ", not exactly Deployment/"
              + name);
      return;
    }
    Deployment d = selected.get(0);
    if (!Objects.equals(labels(p).get(NAME), labels(d).get(NAME))) {
      problem(
          where,
          "label "
              + NAME
              + " is "
              + labels(p).get(NAME)
              + ", its Deployment's is "
              + labels(d).get(NAME));
    }
    int replicas =
        d.getSpec().getReplicas() != null
            ? d.getSpec().getReplicas()
            : hpas.stream()
                .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(name))
                .map(h -> h.getSpec().getMinReplicas())
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(1);
    IntOrString minAvailable = p.getSpec().getMinAvailable();
    IntOrString maxUnavailable = p.getSpec().getMaxUnavailable();
    if ((minAvailable == null) == (maxUnavailable == null)) {
      problem(where, "set exactly one of minAvailable and maxUnavailable");
    } else if (minAvailable != null
        && minAvailable.getIntVal() != null
        && minAvailable.getIntVal() >= replicas) {
      problem(
          where,
          "minAvailable "
              + minAvailable.getIntVal()
              + " with "
              + replicas
              + " replicas blocks every node drain");
    } else if (maxUnavailable != null
        && maxUnavailable.getIntVal() != null
        && maxUnavailable.getIntVal() < 1) {
      problem(where, "maxUnavailable 0 blocks every node drain");
    }
  }

  /**
   * Where the overlay has Services, autoscalers or budgets at all, every Deployment that should has
   * its own.
   */
  private void coverage() {
    for (Deployment d : deployments) {
      String name = d.getMetadata().getName();
      if (!services.isEmpty()
          && services.stream().noneMatch(s -> s.getMetadata().getName().equals(name))) {
        problem("Deployment/" + name, "has no Service");
      }
      if (!pdbs.isEmpty() && pdbs.stream().noneMatch(p -> p.getMetadata().getName().equals(name))) {
        problem("Deployment/" + name, "has no PodDisruptionBudget");
      }
      if (!hpas.isEmpty()
          && STATELESS.contains(labels(d).get(NAME))
          && hpas.stream().noneMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(name))) {
        problem("Deployment/" + name, "is stateless but has no HorizontalPodAutoscaler");
      }
    }
  }
}
