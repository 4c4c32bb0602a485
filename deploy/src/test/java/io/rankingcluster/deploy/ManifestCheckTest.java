package io.rankingcluster.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest check, offline: every overlay of deploy/k8s rendered with `kubectl kustomize`, read
 * strictly into the Kubernetes model and checked for consistency (ManifestRules); and broken
 * fixtures (src/test/resources/broken, each one overlay plus one mistake) that it must reject,
 * naming the mistake.
 */
class ManifestCheckTest {
  static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  static final Path K8S = ROOT.resolve("deploy/k8s");
  static final Path BROKEN = ROOT.resolve("deploy/src/test/resources/broken");

  /** Secrets an overlay expects the platform to provide (not rendered, never committed). */
  static final Map<String, Set<String>> EXTERNAL_SECRETS =
      Map.of("prod", Set.of("ranking-tls", "ranking-page-token-keys"));

  static Map<String, ServiceOptions> options;

  @BeforeAll
  static void readServiceOptions() {
    options = ServiceOptions.read(ROOT);
  }

  static List<String> check(Path kustomization, Set<String> externalSecrets) throws Exception {
    String yaml = Kubectl.kustomize(Kubectl.require(), kustomization);
    List<String> problems = new ArrayList<>();
    List<HasMetadata> resources = StrictModel.read(yaml, problems);
    problems.addAll(new ManifestRules(resources, options, externalSecrets).check());
    return problems;
  }

  @ParameterizedTest(name = "overlay {0} renders, is schema-valid and consistent")
  @ValueSource(strings = {"dev", "prod", "local"})
  void overlayPasses(String overlay) throws Exception {
    List<String> problems =
        check(
            K8S.resolve("overlays").resolve(overlay),
            EXTERNAL_SECRETS.getOrDefault(overlay, Set.of()));
    assertEquals(
        "",
        String.join("\n", problems),
        "overlay " + overlay + ": " + problems.size() + " problems");
  }

  @Test
  void theBaseRendersAndPassesToo() throws Exception {
    List<String> problems = check(K8S.resolve("base"), Set.of("ranking-page-token-keys"));
    assertEquals("", String.join("\n", problems));
  }

  @ParameterizedTest(name = "broken fixture {0} is rejected: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown-field            | Deployment/mixer-service spec.template.spec.containers[0].readinesProbe: unknown field (the Container schema has no such field)
          probe-wrong-port         | Deployment/prerank-service: readinessProbe asks port 9999, but the service answers health on 9092
          port-as-string           | Deployment/rank-service: does not match the Deployment schema at spec.template.spec.containers[0].ports[0].containerPort: Cannot coerce String value
          probe-on-tls-port        | Deployment/rank-service: livenessProbe asks port 9093, but the service answers health on 8081 (TLS is on
          env-typo                 | Deployment/mixer-service container mixer-service: MIXER_RECAL_TARGETS is not a setting of mixer-service
          missing-config-key       | MIXER_BUDGET_SHARE reads key MIXER_BUDGET_SHARE of ConfigMap
          service-selects-nothing  | Service/prerank-service: selector {app.kubernetes.io/name=pre-rank} selects [], not exactly Deployment/prerank-service
          grace-too-short          | Deployment/rank-service: terminationGracePeriodSeconds 12 must exceed the preStop pause (5 s) plus the drain (10 s)
          shard-count              | Deployment/recall-service-0: RECALL_SHARD_COUNT is 3 but 2 shard Deployments are rendered
          hpa-wrong-target         | HorizontalPodAutoscaler/rank-service: scales apps/v1 Deployment rank, which is not a rendered Deployment
          runs-as-root             | Deployment/prerank-service: the pod must run as non-root
          env-value-number         | Deployment/prerank-service spec.template.spec.containers[0].env[1].value: 9092 is a number where the schema has a string
          target-not-headless      | MIXER_RANK_TARGET dns:///rank-service:9093: Service rank-service is not headless
          """)
  void brokenFixtureIsRejected(String fixture, String expected) throws Exception {
    List<String> problems = check(BROKEN.resolve(fixture), EXTERNAL_SECRETS.get("prod"));
    System.out.println(
        "broken/"
            + fixture
            + " rejected with "
            + problems.size()
            + " problem(s):\n  "
            + String.join("\n  ", problems));
    assertTrue(
        problems.stream().anyMatch(p -> p.contains(expected)),
        () ->
            fixture
                + ": expected a problem containing\n  "
                + expected
                + "\ngot\n  "
                + String.join("\n  ", problems));
  }

  @Test
  void theBlendRulesInTheConfigMapAreTheRepositorys() throws Exception {
    String yaml = Kubectl.kustomize(Kubectl.require(), K8S.resolve("base"));
    List<String> problems = new ArrayList<>();
    ConfigMap config =
        StrictModel.read(yaml, problems).stream()
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .filter(c -> c.getMetadata().getName().startsWith("ranking-config-"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        Files.readString(ROOT.resolve("config/blend.json")),
        config.getData().get("blend.json"),
        "deploy/k8s/base/config/blend.json must be a copy of config/blend.json");
  }

  @Test
  void everyServicesOptionsAreFoundInItsSources() {
    Map<String, Integer> ports =
        Map.of(
            "mixer-service",
            9090,
            "recall-service",
            9091,
            "prerank-service",
            9092,
            "rank-service",
            9093);
    for (ServiceOptions o : options.values()) {
      assertEquals(
          String.valueOf(ports.get(o.name())), o.defaultOf(o.var("PORT")), o.name() + " --port");
      for (String shared :
          List.of(
              "HOST",
              "DRAIN_SECONDS",
              "MAX_CONNECTION_AGE_SECONDS",
              "HEALTH_PORT",
              "TLS_CERT",
              "SNAPSHOT_ROOT")) {
        assertTrue(
            o.accepts(o.var(shared)),
            o.name() + " has no " + o.var(shared) + "; found " + o.defaults().keySet());
      }
    }
    assertEquals(
        Set.of("MIXER", "RECALL", "PRERANK", "RANK"),
        options.values().stream().map(ServiceOptions::prefix).collect(Collectors.toSet()));
    assertTrue(options.get("mixer-service").accepts("MIXER_RECALL_TARGETS"));
    assertTrue(options.get("recall-service").accepts("RECALL_SHARD_INDEX"));
  }
}
