package io.rankingcluster.common.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
  private final JsonLogFormatter f = new JsonLogFormatter("svc");

  @Test
  void format_escapesAndAddsTheCurrentRequestId() {
    LogRecord r = new LogRecord(Level.WARNING, "quote \" backslash \\ newline\n tab\t bell\u0007");
    r.setLoggerName("x.Y");
    AtomicReference<String> line = new AtomicReference<>();
    RequestIds.runWith("req-1", () -> line.set(f.format(r)));
    assertTrue(line.get().endsWith("}\n"));
    assertEquals(1, line.get().split("\n").length, "one line");
    assertTrue(
        line.get()
            .contains(
                "\"level\":\"WARNING\",\"service\":\"svc\",\"logger\":\"x.Y\",\"request_id\":\"req-1\""),
        line.get());
    assertTrue(
        line.get().contains("\"msg\":\"quote \\\" backslash \\\\ newline\\n tab\\t bell\\u0007\""),
        line.get());
  }

  @Test
  void format_mapParameter_becomesFields_numbersUnquoted() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("method", "a/B");
    fields.put("ms", 1.25);
    LogRecord r = new LogRecord(Level.INFO, "call");
    r.setParameters(new Object[] {fields});
    String line = f.format(r);
    assertTrue(line.contains("\"msg\":\"call\",\"method\":\"a/B\",\"ms\":1.25}"), line);
    assertTrue(!line.contains("request_id"), "outside a call there is no request id");
  }
}
