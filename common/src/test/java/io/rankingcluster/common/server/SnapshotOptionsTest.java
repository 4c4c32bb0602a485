package io.rankingcluster.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.common.snapshot.TinySnapshots;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hot-swap options: documented defaults, range checks naming the option, a watcher built from
 * them.
 */
class SnapshotOptionsTest {
  @TempDir Path root;

  @Test
  void defaults_pollEveryTenSeconds_graceSixtySeconds() {
    SnapshotConfig o = SnapshotConfig.defaults();
    assertEquals(10, o.pollSeconds());
    assertEquals(60, o.graceSeconds());
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 60, --snapshot-poll-seconds",
    "86401, 60, --snapshot-poll-seconds",
    "10, -5, --snapshot-grace-seconds"
  })
  void validate_outOfRange_namesTheOption(int poll, int grace, String option) {
    Validation.ConfigException e =
        assertThrows(
            Validation.ConfigException.class,
            () ->
                SnapshotConfig.parse(
                    "--snapshot-poll-seconds=" + poll, "--snapshot-grace-seconds=" + grace));
    assertTrue(e.getMessage().startsWith(option), e.getMessage());
  }

  @Test
  void watcher_stateBuilderFailsAtStart_stopsTheStartNamingRootAndVersion() throws Exception {
    TinySnapshots.publish(root, "v1");
    SnapshotConfig o = SnapshotConfig.parse("--snapshot-root=" + root);
    Validation.ConfigException e =
        assertThrows(
            Validation.ConfigException.class,
            () ->
                o.watcher(
                    "test",
                    s -> {
                      throw new IllegalStateException("shard 3 of 2");
                    }));
    assertTrue(
        e.getMessage()
            .startsWith("--snapshot-root " + root + ": snapshot v1 cannot be served by test"),
        e.getMessage());
    assertTrue(e.getMessage().contains("shard 3 of 2"), e.getMessage());

    SnapshotWatcher<String> w = o.watcher("test", s -> s.version());
    assertEquals("v1", w.currentVersion());
    w.close();
  }
}
