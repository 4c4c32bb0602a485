package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestJsonTest {
  @Test
  void parsesValuesAndEscapes() throws Exception {
    Object v =
        ManifestJson.parse(
            " {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"s\": \"q\\\"\\\\\\/\\n"
                + "\\u00e9\\ud83d\\ude00\"} ",
            "t");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false), ((List<?>) m.get("a")).subList(0, 6));
    assertEquals("q\"\\/\n\u00e9\ud83d\ude00", m.get("s"));
  }

  @Test
  void writesWhatItReads() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "tab\t quote\" back\\ nl\n ctl\u0001 \u00fc");
    m.put("n", Long.MIN_VALUE);
    m.put("list", List.of());
    m.put("map", Map.of());
    assertEquals(m, ManifestJson.parse(ManifestJson.write(m), "t"));
  }

  @Test
  void isStrict() {
    for (String bad :
        List.of(
            "{\"a\":1,}",
            "[1,]",
            "{\"a\":1,\"a\":2}",
            "{'a':1}",
            "// c\n{}",
            "{} x",
            "NaN",
            "[01]",
            "[1.]",
            "[.5]",
            "\"\t\"",
            "\"\\x\"",
            "{\"a\" 1}",
            "",
            "[",
            "99999999999999999999",
            "[".repeat(40) + "]".repeat(40))) {
      assertThrows(SnapshotException.class, () -> ManifestJson.parse(bad, "t"), bad);
    }
  }

  @Test
  void errorsNameTheSourceAndPosition() {
    SnapshotException e =
        assertThrows(
            SnapshotException.class, () -> ManifestJson.parse("{\n \"a\": tru }", "manifest.json"));
    assertTrue(
        e.getMessage().startsWith("manifest.json: invalid JSON at line 2, column 7: ")
            && e.getMessage().contains("'tru'"),
        e.getMessage());
  }
}
