package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.offline.world.DemoWorld;
import org.junit.jupiter.api.Test;

class ItemToItemBuilderTest {
  private static final DemoWorld WORLD = DemoWorld.generate(new DemoWorld.Spec(9, 3000, 800, 80));

  @Test
  void build_neighboursAreDistinctOtherItems_strongestFirst_boundedPerItem() {
    ItemNeighbours n =
        ItemToItemBuilder.build(
            WORLD.events,
            WORLD.catalog,
            WORLD.users.size(),
            Integer.MAX_VALUE,
            ItemToItemBuilder.Config.DEFAULT);
    assertEquals(WORLD.catalog.size(), n.rows());
    int withNeighbours = 0;
    for (int r = 0; r < n.rows(); r++) {
      assertTrue(n.count(r) <= ItemToItemBuilder.Config.DEFAULT.perItem());
      java.util.Set<Long> seen = new java.util.HashSet<>();
      for (int e = n.offsets[r]; e < n.offsets[r + 1]; e++) {
        assertTrue(n.neighbourIds[e] != WORLD.catalog.ids[r], "an item is not its own neighbour");
        assertTrue(seen.add(n.neighbourIds[e]), "neighbour listed twice");
        assertTrue(n.weights[e] > 0);
        if (e > n.offsets[r]) {
          assertTrue(n.weights[e - 1] >= n.weights[e], "neighbours not strongest first");
        }
      }
      withNeighbours += n.count(r) > 0 ? 1 : 0;
    }
    assertTrue(withNeighbours > n.rows() / 10, "too few items have neighbours: " + withNeighbours);
  }

  @Test
  void build_coClickedItemsShareCategoryMoreThanChance() {
    ItemNeighbours n =
        ItemToItemBuilder.build(
            WORLD.events,
            WORLD.catalog,
            WORLD.users.size(),
            Integer.MAX_VALUE,
            ItemToItemBuilder.Config.DEFAULT);
    int same = 0;
    int total = 0;
    for (int r = 0; r < n.rows(); r++) {
      if (n.count(r) > 0) {
        int top = WORLD.catalog.index.rowOf(n.neighbourIds[n.offsets[r]]);
        same +=
            WORLD.categories.parentOf(WORLD.catalog.categories[top])
                    == WORLD.categories.parentOf(WORLD.catalog.categories[r])
                ? 1
                : 0;
        total++;
      }
    }
    // 12 departments: chance is about 1/12; users' interests concentrate co-clicks within
    // departments.
    assertTrue(same > total / 4, "top neighbour in the same department for " + same + "/" + total);
  }
}
