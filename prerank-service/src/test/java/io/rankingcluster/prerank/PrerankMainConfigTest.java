package io.rankingcluster.prerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.server.ServiceMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad configuration exits 2 before anything starts, and the message names the setting. */
class PrerankMainConfigTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--top-k=1,2|--top-k",
        "--top-k=3000,1,1|--top-k",
        "--max-candidates=0|--max-candidates",
        "--port=70000|--port",
        "--threads=-1|--threads"
      })
  void badFlag_exitsTwo_namingTheOption(String args, String option) {
    StringWriter err = new StringWriter();
    int code =
        ServiceMain.execute(
            "PRERANK", new PrerankMain(), args.split(" "), Map.of(), new PrintWriter(err, true));
    assertEquals(ServiceMain.EXIT_CONFIG, code, err.toString());
    assertTrue(err.toString().contains(option), "message should name " + option + ": " + err);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"PRERANK_TOP_K|5|--top-k", "PRERANK_PORT|x|--port"})
  void badEnvironmentVariable_exitsTwo_namingTheOption(String var, String value, String option) {
    StringWriter err = new StringWriter();
    int code =
        ServiceMain.execute(
            "PRERANK",
            new PrerankMain(),
            new String[0],
            Map.of(var, value),
            new PrintWriter(err, true));
    assertEquals(ServiceMain.EXIT_CONFIG, code, err.toString());
    assertTrue(err.toString().contains(option), "message should name " + option + ": " + err);
  }
}
