package io.rankingcluster.common.observability;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log line: {@code ts}, {@code level}, {@code service}, {@code logger}, {@code
 * request_id} (the current call's, when the line is written within one), {@code msg}, the fields of
 * a {@link Map} passed as the record's only parameter (access logs), and {@code error} with the
 * stack trace. What log collectors (Loki, Elasticsearch, Cloud Logging) parse without rules.
 */
public final class JsonLogFormatter extends Formatter {
  private final String service;

  public JsonLogFormatter(String service) {
    this.service = service;
  }

  @Override
  public String format(LogRecord r) {
    StringBuilder sb = new StringBuilder(256).append('{');
    field(sb, "ts", Instant.ofEpochMilli(r.getMillis()).toString());
    field(sb, "level", r.getLevel().getName());
    field(sb, "service", service);
    field(sb, "logger", r.getLoggerName());
    String id = RequestIds.current();
    if (id != null) {
      field(sb, "request_id", id);
    }
    Object[] params = r.getParameters();
    if (params != null && params.length == 1 && params[0] instanceof Map<?, ?> fields) {
      field(sb, "msg", r.getMessage());
      for (Map.Entry<?, ?> e : fields.entrySet()) {
        Object v = e.getValue();
        if (v instanceof Number || v instanceof Boolean) {
          sb.append(',');
          quote(sb, String.valueOf(e.getKey()));
          sb.append(':').append(v);
        } else {
          field(sb, String.valueOf(e.getKey()), String.valueOf(v));
        }
      }
    } else {
      field(sb, "msg", formatMessage(r));
    }
    if (r.getThrown() != null) {
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      field(sb, "error", trace.toString());
    }
    return sb.append("}\n").toString();
  }

  private static void field(StringBuilder sb, String key, String value) {
    if (sb.length() > 1) {
      sb.append(',');
    }
    quote(sb, key);
    sb.append(':');
    quote(sb, value == null ? "" : value);
  }

  /**
   * {@code s} as a JSON string literal, escaped by Jackson (quotes, backslashes, control
   * characters).
   */
  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
