package io.rankingcluster.offline.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoWorldTest {
  private static final int ITEMS = 3000;
  private static final int USERS = 500;
  private static DemoWorld world;

  @BeforeAll
  static void generate() {
    world = DemoWorld.generate(spec(42));
  }

  private static DemoWorld.Spec spec(long seed) {
    return new DemoWorld.Spec(seed, ITEMS, USERS, 40);
  }

  @Test
  void generate_sameSeed_identicalCatalogAndUsers() {
    DemoWorld again = DemoWorld.generate(spec(42));
    Catalog a = world.catalog;
    Catalog b = again.catalog;
    assertArrayEquals(a.ids, b.ids);
    assertArrayEquals(a.kinds, b.kinds);
    assertArrayEquals(a.sellers, b.sellers);
    assertArrayEquals(a.categories, b.categories);
    assertArrayEquals(a.prices, b.prices);
    assertArrayEquals(a.createdMs, b.createdMs);
    assertArrayEquals(a.liveStartMinute, b.liveStartMinute);
    assertArrayEquals(a.impressions, b.impressions);
    assertArrayEquals(a.clicks, b.clicks);
    assertArrayEquals(a.purchases, b.purchases);
    assertArrayEquals(a.watchSeconds, b.watchSeconds);
    assertArrayEquals(a.titles, b.titles);
    assertEquals(world.users.size(), again.users.size());
    for (int u = 0; u < world.users.size(); u++) {
      assertArrayEquals(world.users.recentItems(u), again.users.recentItems(u), "user row " + u);
      assertEquals(world.users.country(u), again.users.country(u));
    }
  }

  @Test
  void generate_differentSeed_differentWorld() {
    DemoWorld other = DemoWorld.generate(spec(43));
    assertArrayEquals(world.catalog.ids, other.catalog.ids); // ids are positional by design
    assertFalse(Arrays.equals(world.catalog.kinds, other.catalog.kinds));
    assertFalse(Arrays.equals(world.catalog.prices, other.catalog.prices));
    assertFalse(Arrays.equals(world.catalog.clicks, other.catalog.clicks));
    boolean historiesDiffer = false;
    for (int u = 0; u < USERS && !historiesDiffer; u++) {
      historiesDiffer = !Arrays.equals(world.users.recentItems(u), other.users.recentItems(u));
    }
    assertTrue(historiesDiffer, "seeds 42 and 43 gave identical user histories");
  }

  @Test
  void generate_popularity_isHeavyTailed() {
    int[] impressions = world.catalog.impressions.clone();
    long total = 0;
    for (int i : impressions) {
      total += i;
    }
    Arrays.sort(impressions);
    int top = ITEMS / 100;
    long topSum = 0;
    for (int i = impressions.length - top; i < impressions.length; i++) {
      topSum += impressions[i];
    }
    assertTrue(total > 0);
    assertTrue(
        topSum > 0.10 * total, "top 1% of items hold " + topSum + " of " + total + " impressions");
  }

  @Test
  void generate_liveStreams_haveDailySchedulesAndOthersNone() {
    Catalog c = world.catalog;
    int streams = 0;
    for (int i = 0; i < c.size(); i++) {
      if (c.kind(i) == ItemKind.LIVE_STREAM) {
        streams++;
        assertTrue(c.liveStartMinute[i] >= 0 && c.liveStartMinute[i] < 1440, "row " + i);
        assertTrue(c.liveDurationMinutes[i] > 0, "row " + i);
      } else {
        assertEquals(-1, c.liveStartMinute[i], "row " + i);
        assertEquals(0, c.liveDurationMinutes[i], "row " + i);
      }
    }
    assertTrue(streams > 0);
  }

  @Test
  void generate_shoppableVideos_pointAtProductWithSameCategoryAndPrice() {
    Catalog c = world.catalog;
    int shoppable = 0;
    for (int i = 0; i < c.size(); i++) {
      int linked = c.linkedProductRow[i];
      if (linked < 0) {
        continue;
      }
      shoppable++;
      assertEquals(ItemKind.VIDEO, c.kind(i), "only videos link to products, row " + i);
      assertEquals(ItemKind.PRODUCT, c.kind(linked), "row " + i + " links to row " + linked);
      assertEquals(c.categories[linked], c.categories[i], "row " + i);
      assertEquals(c.prices[linked], c.prices[i], "row " + i);
      assertTrue(c.prices[i] > 0, "row " + i);
    }
    assertTrue(shoppable > 0, "no shoppable videos generated");
  }

  @Test
  void generate_allThreeKindsPresent() {
    int[] perKind = new int[ItemKind.COUNT];
    for (int i = 0; i < world.catalog.size(); i++) {
      perKind[world.catalog.kind(i).index()]++;
    }
    for (ItemKind k : ItemKind.values()) {
      assertTrue(perKind[k.index()] > 0, "no " + k.label());
    }
    assertEquals(ITEMS, Arrays.stream(perKind).sum());
  }

  @Test
  void generate_usersNamedOneToN_andItemIdsSequential() {
    assertEquals(USERS, world.users.size());
    for (int u = 0; u < USERS; u++) {
      assertEquals(Integer.toString(u + 1), world.users.userId(u));
      assertEquals(u, world.users.rowOf(Integer.toString(u + 1)));
    }
    assertEquals(-1, world.users.rowOf("0"));
    assertEquals(-1, world.users.rowOf(Integer.toString(USERS + 1)));
    for (int i = 0; i < ITEMS; i++) {
      assertEquals(DemoWorld.FIRST_ITEM_ID + i, world.catalog.ids[i]);
    }
  }

  @Test
  void generate_userHistories_nameCatalogItemsAndRespectMaxRecent() {
    int nonEmpty = 0;
    for (int u = 0; u < USERS; u++) {
      long[] recent = world.users.recentItems(u);
      assertTrue(recent.length <= 50);
      nonEmpty += recent.length > 0 ? 1 : 0;
      for (long id : recent) {
        int row = world.catalog.index.rowOf(id);
        assertTrue(row >= 0, "user " + (u + 1) + " clicked unknown item " + id);
        assertTrue(world.catalog.clicks[row] > 0, "item " + id + " in a history has no clicks");
      }
    }
    assertTrue(nonEmpty > USERS / 2, "only " + nonEmpty + " users have a history");
  }

  @Test
  void generate_observedStatistics_areConsistent() {
    Catalog c = world.catalog;
    for (int i = 0; i < c.size(); i++) {
      assertTrue(c.clicks[i] <= c.impressions[i], "row " + i);
      assertTrue(c.purchases[i] <= c.clicks[i], "row " + i);
      assertTrue(c.createdMs[i] <= DemoWorld.AS_OF_MS, "row " + i);
      if (c.kind(i) == ItemKind.PRODUCT) {
        assertEquals(0f, c.watchSeconds[i], "row " + i);
        assertTrue(c.prices[i] > 0, "row " + i);
      }
    }
  }

  @Test
  void spec_invalidSizes_throw() {
    assertThrows(IllegalArgumentException.class, () -> new DemoWorld.Spec(1, 99, 10, 10));
    assertThrows(IllegalArgumentException.class, () -> new DemoWorld.Spec(1, 100, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new DemoWorld.Spec(1, 100, 10, 0));
  }
}
