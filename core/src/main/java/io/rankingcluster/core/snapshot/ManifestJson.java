package io.rankingcluster.core.snapshot;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;

/**
 * The snapshot's JSON (the manifest) through Jackson's streaming parser, strict: standard JSON only
 * (no comments, single quotes, trailing commas, leading zeros or NaN), a key twice in one object is
 * an error, one document per text, nesting at most {@value #MAX_DEPTH} deep, integers within a
 * long. Values become maps (insertion order), lists, Long, Double, String, Boolean or null. Errors
 * name the source, the line and the column.
 */
final class ManifestJson {
  private static final int MAX_DEPTH = 32;
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ManifestJson() {}

  /** Parses one JSON document; errors name {@code source} and the line and column. */
  static Object parse(String text, String source) throws SnapshotException {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw error(source, p.currentLocation(), "unexpected end of input");
      }
      Object value = value(p, first, 0, source);
      if (p.nextToken() != null) {
        throw error(source, p.currentLocation(), "unexpected content after the JSON value");
      }
      return value;
    } catch (JacksonException e) {
      throw error(source, e.getLocation(), e.getOriginalMessage());
    }
  }

  private static Object value(JsonParser p, JsonToken t, int depth, String source)
      throws SnapshotException {
    if (depth > MAX_DEPTH) {
      throw error(source, p.currentLocation(), "nesting deeper than " + MAX_DEPTH);
    }
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
          String name = p.currentName();
          m.put(name, value(p, p.nextToken(), depth + 1, source));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
          list.add(value(p, v, depth + 1, source));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getString();
      }
      case VALUE_NUMBER_INT -> {
        try {
          return p.getLongValue();
        } catch (InputCoercionException e) {
          throw error(source, p.currentLocation(), "integer out of range");
        }
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw error(source, p.currentLocation(), "unexpected token " + t);
    }
  }

  private static SnapshotException error(String source, TokenStreamLocation at, String problem) {
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new SnapshotException(source + ": invalid JSON" + where + ": " + problem);
  }

  /**
   * Writes maps, lists, numbers, strings, booleans and null as indented JSON (two spaces), keys in
   * map order.
   */
  static String write(Object value) {
    StringWriter out = new StringWriter();
    ObjectWriteContext pretty =
        new ObjectWriteContext.Base() {
          @Override
          public PrettyPrinter getPrettyPrinter() {
            // "key": value, two-space indents, one array element per line, {} and [] when empty.
            DefaultIndenter indent = new DefaultIndenter("  ", "\n");
            return new DefaultPrettyPrinter(
                    Separators.createDefaultInstance()
                        .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(indent)
                .withArrayIndenter(indent);
          }

          @Override
          public boolean hasPrettyPrinter() {
            return true;
          }
        };
    try (JsonGenerator g = FACTORY.createGenerator(pretty, out)) {
      write(g, value);
    }
    return out.append('\n').toString();
  }

  private static void write(JsonGenerator g, Object value) {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object v : list) {
        write(g, v);
      }
      g.writeEndArray();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Long || value instanceof Integer) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }
}
