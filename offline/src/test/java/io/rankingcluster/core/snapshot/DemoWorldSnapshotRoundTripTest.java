package io.rankingcluster.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.offline.world.DemoWorld;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated world survives the snapshot format (beside the generator, which lives in offline).
 */
class DemoWorldSnapshotRoundTripTest {
  @TempDir Path root;

  @Test
  void theDemoWorldRoundTrips() throws Exception {
    DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(7, 300, 30, 20));
    Snapshot in =
        new Snapshot(
            "demo-7",
            w.categories,
            w.catalog,
            w.users,
            Embeddings.empty(w.catalog.size()),
            Embeddings.empty(w.users.size()),
            ItemNeighbours.empty(w.catalog.size()),
            Map.of(),
            Map.of(),
            Map.of("seed", "7", "world_items", "300"));
    Snapshot out = SnapshotReader.read(new SnapshotWriter().write(root, in));
    assertArrayEquals(w.catalog.ids, out.catalog().ids);
    assertArrayEquals(w.catalog.kinds, out.catalog().kinds);
    assertArrayEquals(w.catalog.liveStartMinute, out.catalog().liveStartMinute);
    assertArrayEquals(w.catalog.linkedProductRow, out.catalog().linkedProductRow);
    assertArrayEquals(w.catalog.titles, out.catalog().titles);
    for (int i = 0; i < w.users.size(); i++) {
      assertArrayEquals(w.users.recentItems(i), out.users().recentItems(i));
    }
  }
}
