package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot written by another tool from docs/snapshot-format.md alone (a numpy script) loads in
 * core. Needs Debian's python3-numpy for /usr/bin/python3: skipped without it, except on CI
 * (CI=true), where a missing prerequisite must fail rather than silently test nothing.
 */
class ForeignWriterTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final long TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  @Test
  void numpyWrittenSnapshotLoads() throws Exception {
    requireNumpy();
    Path script =
        Path.of(ForeignWriterTest.class.getResource("/snapshot/write_snapshot.py").toURI());
    Path root = tmp.resolve("root");
    Run r = run(List.of(PYTHON, script.toString(), root.toString(), "v-py-1"));
    if (r.exit != 0) {
      fail("write_snapshot.py exited " + r.exit + ":\n" + r.output);
    }

    SnapshotValidator.Report report = SnapshotValidator.validate(root);
    assertTrue(report.toString().contains("derived: 0 of 1 usable"), report.toString());
    assertTrue(
        report.derivedProblems().get(0).startsWith("derived/hnsw.bin: missing"),
        report.derivedProblems().toString());

    Snapshot s = SnapshotReader.readCurrent(root);
    assertEquals("v-py-1", s.version());
    Catalog c = s.catalog();
    assertEquals(5, c.size());
    assertArrayEquals(new long[] {500001, 500002, 500003, 500004, -2L}, c.ids);
    assertEquals("18446744073709551614", Long.toUnsignedString(c.ids[4]));
    assertEquals(ItemKind.VIDEO, c.kind(2));
    assertEquals(ItemKind.LIVE_STREAM, c.kind(3));
    assertArrayEquals(new long[] {77, 77, 78, -5, 79}, c.sellers);
    assertArrayEquals(new int[] {0, 5, 0, 3, 2}, c.categories);
    assertArrayEquals(new float[] {19.5f, 7.25f, 19.5f, 0f, 120f}, c.prices);
    assertEquals(1_767_225_600_000L - 4 * 86_400_000L, c.createdMs[4]);
    assertEquals(1200, c.liveStartMinute[3]);
    assertEquals(90, c.liveDurationMinutes[3]);
    assertEquals(0xFF, c.countryMasks[4]);
    assertArrayEquals(new int[] {-1, -1, 0, -1, -1}, c.linkedProductRow);
    assertArrayEquals(new boolean[] {true, false, true, true, true}, c.inStock);
    assertEquals(150, c.clicks[3]);
    assertEquals(9, c.carts[0]);
    assertEquals(812.5f, c.watchSeconds[2]);
    assertEquals("Robot Kit \u65e5\u672c", c.titles[1]);
    assertEquals("Lamp video\twith tab", c.titles[2]);
    assertEquals("Robot Kit", s.categories().leafName(5));
    assertEquals("Fashion", s.categories().parentName(s.categories().parentOf(3)));

    assertEquals(3, s.users().size());
    int u3 = s.users().rowOf("\u00fcser-3");
    assertEquals(2, u3);
    assertEquals(-1, s.users().country(u3));
    assertArrayEquals(new long[] {-2L, 500004, 999}, s.users().recentItems(u3));
    assertEquals(0, s.users().recentItems(s.users().rowOf("2")).length);

    assertEquals(8, s.itemEmbeddings().dimension());
    assertEquals(1.7f, s.itemEmbeddings().data()[17], 1e-6f);
    assertEquals(3, s.userVectors().dimension());
    assertArrayEquals(
        new float[] {-1f, -0.75f, -0.5f}, java.util.Arrays.copyOf(s.userVectors().data(), 3));

    assertArrayEquals(new int[] {0, 2, 2, 3, 3, 5}, s.itemNeighbours().offsets);
    assertArrayEquals(
        new long[] {500003, 500002, 500001, 500001, 12345}, s.itemNeighbours().neighbourIds);
    assertEquals(0.125f, s.itemNeighbours().weights[4]);

    assertArrayEquals(
        new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, s.models().get("rank"));
    assertEquals("py-rank-1", s.modelVersions().get("rank"));
    assertEquals("write_snapshot.py", s.provenance().get("generator"));

    // And the other way round: the Java writer's files sit in the same root and read back beside
    // it.
    SnapshotStore store = new SnapshotStore(root);
    store.write(TestSnapshots.small("v-java-2"));
    store.publish("v-java-2");
    assertEquals(
        java.util.Set.of("v-py-1", "v-java-2"), java.util.Set.copyOf(store.versionNames()));
    assertEquals(6, store.readCurrent().catalog().size());
  }

  private static void requireNumpy() throws Exception {
    String missing = null;
    if (!Files.isExecutable(Path.of(PYTHON))) {
      missing = PYTHON + " not found (Debian packages python3 and python3-numpy)";
    } else {
      Run r = run(List.of(PYTHON, "-c", "import numpy"));
      if (r.exit != 0) {
        String[] lines = r.output.strip().split("\n");
        missing =
            "python3-numpy (Debian package) not installed for "
                + PYTHON
                + " ("
                + lines[lines.length - 1]
                + ")";
      }
    }
    if (missing == null) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(missing + " (CI=true: the foreign-writer test must run on CI)");
    }
    Assumptions.abort(missing);
  }

  private record Run(int exit, String output) {}

  /**
   * Runs a command with a bounded wait; output goes to a file so a chatty process never blocks on a
   * pipe.
   */
  private static Run run(List<String> command) throws Exception {
    File log = File.createTempFile("foreign-writer", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        fail(
            String.join(" ", command)
                + " did not finish within "
                + TIMEOUT_SECONDS
                + " s:\n"
                + Files.readString(log.toPath(), StandardCharsets.UTF_8));
      }
      return new Run(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log.toPath());
    }
  }
}
