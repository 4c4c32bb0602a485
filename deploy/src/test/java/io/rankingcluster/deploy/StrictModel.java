package io.rankingcluster.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a rendered YAML stream into fabric8's Kubernetes model classes (generated from the
 * Kubernetes OpenAPI schemas), strictly: a kind or apiVersion the cluster does not serve, a field
 * the schema does not have (fabric8 would keep it aside in "additionalProperties"), and a value of
 * another type (no coercion of "9090" to 9090 or back, as the API server refuses too) are each a
 * problem naming the resource and the field path. A document is also written back from the model
 * and compared with what was read, so nothing is dropped or changed silently.
 */
final class StrictModel {
  /**
   * The kinds the manifests may hold, by apiVersion/kind: the versions a current cluster serves.
   */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "v1/Service", Service.class,
          "v1/ServiceAccount", ServiceAccount.class,
          "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
          "apps/v1/Deployment", Deployment.class,
          "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private StrictModel() {}

  /**
   * The resources of a YAML stream; every problem found on the way is added to {@code problems}.
   */
  static List<HasMetadata> read(String yaml, List<String> problems) {
    List<HasMetadata> out = new ArrayList<>();
    List<JsonNode> docs;
    try {
      docs =
          YAML.readerFor(JsonNode.class).readValues(yaml).readAll().stream()
              .map(JsonNode.class::cast)
              .toList();
    } catch (JacksonException e) {
      problems.add("not YAML: " + e.getOriginalMessage());
      return out;
    }
    for (JsonNode doc : docs) {
      if (doc == null || doc.isNull() || doc.isEmpty()) {
        continue;
      }
      String kind = doc.path("kind").asString("");
      String api = doc.path("apiVersion").asString("");
      String where = kind + "/" + doc.path("metadata").path("name").asString("?");
      Class<? extends HasMetadata> type = KINDS.get(api + "/" + kind);
      if (type == null) {
        problems.add(
            where + ": apiVersion " + api + " kind " + kind + " is not one of " + KINDS.keySet());
        continue;
      }
      HasMetadata r;
      try {
        r = YAML.treeToValue(doc, type);
      } catch (JacksonException e) {
        problems.add(
            where
                + ": does not match the "
                + kind
                + " schema at "
                + path(e)
                + ": "
                + e.getOriginalMessage());
        continue;
      }
      unknownFields(r, where + " ", problems);
      JsonNode back = YAML.valueToTree(r);
      diff(doc, back, where + " ", problems);
      out.add(r);
    }
    return out;
  }

  /**
   * The field path of a failed read, as spec.template.spec.containers[0].ports[0].containerPort.
   */
  private static String path(JacksonException e) {
    StringBuilder b = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /** Fields fabric8 kept aside because its (schema-generated) class has no such property. */
  private static void unknownFields(Object o, String path, List<String> problems) {
    if (o == null
        || o instanceof CharSequence
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Enum<?>) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", problems);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), problems);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
      return;
    }
    try {
      Method extra = o.getClass().getMethod("getAdditionalProperties");
      Map<?, ?> unknown = (Map<?, ?>) extra.invoke(o);
      if (unknown != null) {
        for (Object key : unknown.keySet()) {
          problems.add(
              path
                  + (path.endsWith(" ") ? "" : ".")
                  + key
                  + ": unknown field (the "
                  + o.getClass().getSimpleName()
                  + " schema has no such field)");
        }
      }
    } catch (NoSuchMethodException e) {
      // a value type without extra properties (Quantity, IntOrString)
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        JsonProperty p = f.getAnnotation(JsonProperty.class);
        if (p == null || Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        try {
          f.setAccessible(true);
          unknownFields(f.get(o), path + (path.endsWith(" ") ? "" : ".") + p.value(), problems);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Every field and value of the document as read must come back from the model unchanged. */
  private static void diff(JsonNode read, JsonNode back, String path, List<String> problems) {
    String here = path.trim();
    if (read.isObject()) {
      if (!back.isObject()) {
        problems.add(here + ": an object where the schema has " + back.getNodeType());
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) read).properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String sub = path + (path.endsWith(" ") ? "" : ".") + e.getKey();
        if (e.getValue().isNull()) {
          continue;
        }
        if (!back.has(e.getKey())) {
          problems.add(sub.trim() + ": dropped when read into the schema");
        } else {
          diff(e.getValue(), back.get(e.getKey()), sub, problems);
        }
      }
    } else if (read.isArray()) {
      if (!back.isArray() || back.size() != read.size()) {
        problems.add(here + ": a list of " + read.size() + " read back as " + back);
        return;
      }
      for (int i = 0; i < read.size(); i++) {
        diff(read.get(i), back.get(i), path + "[" + i + "]", problems);
      }
    } else if (read.isNumber() && back.isNumber()) {
      if (read.decimalValue().compareTo(back.decimalValue()) != 0) {
        problems.add(here + ": " + read + " read as " + back);
      }
    } else if (read.getNodeType() != back.getNodeType()) {
      problems.add(
          here
              + ": "
              + read
              + " is a "
              + read.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + " where the schema has a "
              + back.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    } else if (!read.equals(back)) {
      problems.add(here + ": " + read + " read as " + back);
    }
  }
}
