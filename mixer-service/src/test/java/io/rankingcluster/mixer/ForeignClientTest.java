package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example clients in examples/ (Python with stubs generated from proto/, Node
 * with @grpc/grpc-js) page through the feed of a real cluster on loopback. Skipped, naming what is
 * missing, when the tools are absent; under CI=true a missing tool fails instead (.ci/run installs
 * them).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ForeignClientTest {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(true, 2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static void require(boolean present, String missing) {
    if (!present) {
      if ("true".equals(System.getenv("CI"))) {
        fail(missing + " is missing (CI=true: .ci/run must install it)");
      }
      Assumptions.assumeTrue(false, missing + " is missing; skipping");
    }
  }

  /** Runs a command with a bounded wait; returns exit code and combined output. */
  static Result run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + cmd);
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  record Result(int code, String output) {}

  private static List<String> args(String... head) {
    List<String> cmd = new ArrayList<>(List.of(head));
    cmd.addAll(
        List.of("--target", "127.0.0.1:" + cluster.mixer.port(), "--user", "7", "--pages", "3"));
    return cmd;
  }

  @Test
  void pythonClient_pagesThroughThreePages_noRepeats() throws Exception {
    boolean grpc =
        Files.isExecutable(Path.of("/usr/bin/python3"))
            && run(List.of("/usr/bin/python3", "-c", "import grpc, grpc_tools")).code() == 0;
    require(grpc, "python3 with grpcio and grpc_tools (Debian: python3-grpcio python3-grpc-tools)");
    Result r = run(args("/usr/bin/python3", EXAMPLES.resolve("python/recommend.py").toString()));
    assertEquals(0, r.code(), r.output());
    assertTrue(
        r.output().contains("page 3: 10 items") && r.output().contains("ok: 30 distinct items"),
        r.output());
  }

  @Test
  void nodeClient_pagesThroughThreePages_noRepeats() throws Exception {
    boolean node;
    try {
      node = run(List.of("node", "--version")).code() == 0;
    } catch (IOException e) {
      node = false; // not on the PATH
    }
    require(
        node && Files.isDirectory(EXAMPLES.resolve("node/node_modules/@grpc/grpc-js")),
        "node with examples/node/node_modules (run: cd examples/node && npm ci)");
    Result r = run(args("node", EXAMPLES.resolve("node/recommend.js").toString()));
    assertEquals(0, r.code(), r.output());
    assertTrue(
        r.output().contains("page 3: 10 items") && r.output().contains("ok: 30 distinct items"),
        r.output());
  }
}
