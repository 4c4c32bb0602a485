package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.server.ServiceMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad configuration exits non-zero before anything starts, and the message names the setting. */
class RecallMainConfigTest {
  static int run(Map<String, String> env, String... args) {
    return ServiceMain.execute(
        "RECALL", new RecallMain(), args, env, new PrintWriter(new StringWriter(), true));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--port=abc|--port",
        "--port=70000|--port",
        "--shard-index=2 --shard-count=2|--shard-index",
        "--shard-count=0|--shard-count",
        "--threads=-3|--threads",
        "--max-inbound-bytes=10|--max-inbound-bytes",
        "--snapshot-root=/nonexistent|--snapshot-root",
        "--snapshot-poll-seconds=-1|--snapshot-poll-seconds",
        "--snapshot-grace-seconds=x|--snapshot-grace-seconds",
        "--ann=bogus|--ann",
        "--ann-ef-search=0|--ann-ef-search",
        "--ann-m=1|--ann-m",
        "--ann-ef-construction=0|--ann-ef-construction",
        "--ann-tier-ratio=1|--ann-tier-ratio",
        "--ann-build-threads=-1|--ann-build-threads",
        "--channels=ann,nearest_stores|nearest_stores",
        "--channels=popular:0|--channels",
        "--channels=popular,popular|--channels",
        "--channel-shares=bogus=0.5|--channel-shares",
        "--no-such-flag|--no-such-flag"
      })
  void badFlag_exitsNonZero_namingTheOption(String args, String option) {
    StringWriter err = new StringWriter();
    int code =
        ServiceMain.execute(
            "RECALL", new RecallMain(), args.split(" "), Map.of(), new PrintWriter(err, true));
    assertEquals(ServiceMain.EXIT_CONFIG, code, err.toString());
    assertTrue(err.toString().contains(option), "message should name " + option + ": " + err);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "RECALL_THREADS|-1|--threads",
        "RECALL_PORT|x|--port",
        "RECALL_DRAIN_SECONDS|-2|--drain-seconds",
        "RECALL_CHANNELS|ann,bogus|bogus"
      })
  void badEnvironmentVariable_exitsNonZero_namingTheOption(
      String var, String value, String option) {
    StringWriter err = new StringWriter();
    int code =
        ServiceMain.execute(
            "RECALL",
            new RecallMain(),
            new String[0],
            Map.of(var, value),
            new PrintWriter(err, true));
    assertEquals(ServiceMain.EXIT_CONFIG, code, err.toString());
    assertTrue(err.toString().contains(option), "message should name " + option + ": " + err);
  }

  @org.junit.jupiter.api.Test
  void help_listsEverySettingAndItsVariable() {
    StringWriter out = new StringWriter();
    picocli.CommandLine cl = new picocli.CommandLine(new RecallMain());
    cl.setOut(new PrintWriter(out, true));
    assertEquals(
        0,
        ServiceMain.execute(
            "RECALL",
            new RecallMain(),
            new String[] {"--help"},
            Map.of(),
            new PrintWriter(new StringWriter(), true)));
    cl.usage(new PrintWriter(out, true));
    for (String option :
        new String[] {
          "--port",
          "--shard-index",
          "--shard-count",
          "--threads",
          "--max-inbound-bytes",
          "--drain-seconds",
          "--warmup-requests",
          "--default-deadline-ms",
          "--snapshot-root",
          "--snapshot-poll-seconds",
          "--snapshot-grace-seconds",
          "--max-exclude-ids",
          "--ann",
          "--ann-ef-search",
          "--ann-m",
          "--ann-ef-construction",
          "--ann-tier-ratio",
          "--ann-build-threads",
          "--ann-index-cache-dir",
          "--channels",
          "--channel-shares"
        }) {
      assertTrue(out.toString().contains(option), "--help should list " + option);
    }
  }
}
