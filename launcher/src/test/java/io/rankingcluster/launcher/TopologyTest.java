package io.rankingcluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopologyTest {
  @Test
  void pods_twoShardsTwoReplicas_ownAddressesStandardPorts_mixerKnowsEveryReplica() {
    Topology t = Topology.pods(2, 2, 2, 1, 2, "a2V5");
    List<String> names = t.pods().stream().map(Topology.Pod::name).toList();
    assertEquals(
        List.of(
            "recall-0-a",
            "recall-0-b",
            "recall-1-a",
            "recall-1-b",
            "prerank-a",
            "prerank-b",
            "rank-a",
            "mixer-a",
            "mixer-b"),
        names);
    assertEquals(
        t.pods().size(),
        t.pods().stream().map(Topology.Pod::host).distinct().count(),
        "one address per pod");
    assertEquals("127.0.0.2:9091", t.pod("recall-0-a").orElseThrow().address());
    assertEquals(
        List.of("--shard-index=1", "--shard-count=2"), t.pod("recall-1-b").orElseThrow().args());
    List<String> mixerArgs = t.pod("mixer-b").orElseThrow().args();
    assertTrue(
        mixerArgs.contains(
            "--recall-targets=127.0.0.2:9091|127.0.0.3:9091,127.0.0.4:9091|127.0.0.5:9091"),
        mixerArgs.toString());
    assertTrue(
        mixerArgs.contains("--prerank-target=127.0.0.6:9092|127.0.0.7:9092"), mixerArgs.toString());
    assertTrue(
        mixerArgs.contains("--page-token-keys=1:a2V5"), "every mixer shares the page-token key");
    assertEquals("127.0.0.9:9090", t.mixerAddress());
    assertEquals("mixer-a", t.startOrder().get(t.pods().size() - 2).name(), "mixers start last");
  }

  @Test
  void saveAndLoad_roundTrip_andNoFileMeansTheSingleLayout(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("topology.tsv");
    assertEquals(Topology.single(), Topology.load(file));
    Topology t = Topology.pods(1, 3, 1, 1, 1, "a2V5");
    t.save(file);
    assertEquals(t, Topology.load(file));
  }

  @Test
  void pods_moreThanTheLoopbackRangeHolds_refused() {
    assertThrows(IllegalArgumentException.class, () -> Topology.pods(16, 16, 1, 1, 1, "a2V5"));
  }
}
