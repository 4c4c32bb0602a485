package io.rankingcluster.core.blend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rankingcluster.core.blend.Blender.Placement;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlenderTest {
  private static final byte P = 1;
  private static final byte V = 2;
  private static final byte L = 3;
  private static final boolean[] ALL = {true, true, true};
  private static final Set<String> RULES =
      Set.of(
          Blender.RULE_KIND_SHARE,
          Blender.RULE_BACKFILL,
          Blender.RULE_SELLER_RELAXED,
          Blender.RULE_POSITION_RELAXED,
          Blender.RULE_EXPLORATION);
  private static final double EPS = 1e-3;

  // ---------------------------------------------------------------------------------------------
  // The independent checker: the page rules, written from BlendConfig's and Blender's contracts.
  // ---------------------------------------------------------------------------------------------

  /**
   * Whether item i could go into slot s given the live streams already in the window (sellers
   * aside).
   */
  private static boolean eligibleIgnoringSeller(
      int i, int s, int liveInWindow, byte[] kinds, boolean[] allowed, BlendConfig cfg) {
    if (!allowed[kinds[i] - 1]) {
      return false;
    }
    if (kinds[i] != L) {
      return true;
    }
    if (s == 0 && cfg.noLiveInFirstSlot()) {
      return false;
    }
    return s >= cfg.liveWindow() || liveInWindow < cfg.maxLiveInWindow();
  }

  private static double deficit(int k, int s, int[] placed, boolean[] allowed, BlendConfig cfg) {
    double sum = 0;
    for (int j = 0; j < 3; j++) {
      if (allowed[j]) {
        sum += cfg.kindShare()[j];
      }
    }
    if (!allowed[k] || sum <= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    return cfg.kindShare()[k] / sum * (s + 1) - placed[k];
  }

  /**
   * Verifies a page against the rules; fails with a description of the first violation. Rules: at
   * most min(pageSize, n) items, each input at most once, only allowed kinds; no live stream in
   * slot 1 when configured; at most maxLiveInWindow live streams in the first liveWindow slots; no
   * two neighbours with one seller unless the later one is marked seller_relaxed, which is used
   * only when no other item could have taken the slot; kind_share placements take the kind furthest
   * behind its share and backfill only happens when a kind at least as far behind had nothing
   * placeable; the page ends early only when no remaining item could fill the next slot.
   */
  static void checkPage(
      byte[] kinds,
      long[] sellers,
      int n,
      int pageSize,
      boolean[] allowed,
      BlendConfig cfg,
      Placement[] page,
      String context) {
    checkPage(kinds, sellers, n, pageSize, allowed, cfg, null, page, context);
  }

  /**
   * As above, with fresh items: the exploration slot holds the best-ranked fresh item that breaks
   * no rule (and only there, and only a fresh one); every placement names the item ranking order
   * would have placed instead (the best-ranked allowed item still waiting) when it differs.
   */
  static void checkPage(
      byte[] kinds,
      long[] sellers,
      int n,
      int pageSize,
      boolean[] allowed,
      BlendConfig cfg,
      boolean[] fresh,
      Placement[] page,
      String context) {
    if (page.length > Math.min(pageSize, n)) {
      fail(context + ": page of " + page.length + " for pageSize " + pageSize + " and n " + n);
    }
    boolean[] used = new boolean[n];
    int[] placed = new int[3];
    int liveInWindow = 0;
    for (int s = 0; s < page.length; s++) {
      String at = context + ", slot " + (s + 1) + " " + page[s];
      int i = page[s].input();
      if (i < 0 || i >= n) {
        fail(at + ": input index out of range");
      }
      if (used[i]) {
        fail(at + ": item placed twice");
      }
      if (!RULES.contains(page[s].rule())) {
        fail(at + ": unknown rule");
      }
      int k = kinds[i] - 1;
      if (!allowed[k]) {
        fail(at + ": kind " + kinds[i] + " not allowed");
      }
      int rankingChoice = -1;
      for (int j = 0; j < n && rankingChoice < 0; j++) {
        rankingChoice = !used[j] && allowed[kinds[j] - 1] ? j : -1;
      }
      if (page[s].displaced() != (rankingChoice == i ? -1 : rankingChoice)) {
        fail(at + ": displaced should be " + (rankingChoice == i ? -1 : rankingChoice));
      }
      long prevSeller = s == 0 ? Long.MIN_VALUE : sellers[page[s - 1].input()];
      int freshChoice = -1;
      if (fresh != null && s == cfg.explorationSlot() - 1) {
        for (int j = 0; j < n && freshChoice < 0; j++) {
          boolean fits =
              !used[j]
                  && fresh[j]
                  && eligibleIgnoringSeller(j, s, liveInWindow, kinds, allowed, cfg)
                  && !(cfg.noAdjacentSameSeller() && sellers[j] == prevSeller);
          freshChoice = fits ? j : -1;
        }
      }
      if (Blender.RULE_EXPLORATION.equals(page[s].rule()) != (freshChoice >= 0)
          || (freshChoice >= 0 && freshChoice != i)) {
        fail(
            at
                + ": the exploration slot must hold the best-ranked fitting fresh item "
                + freshChoice);
      }
      boolean positionRelaxed = Blender.RULE_POSITION_RELAXED.equals(page[s].rule());
      if (positionRelaxed) {
        // Allowed only as a last resort: no remaining allowed item fits the slot under the position
        // rules.
        if (eligibleIgnoringSeller(i, s, liveInWindow, kinds, allowed, cfg)) {
          fail(at + ": position_relaxed for an item that obeys the position rules");
        }
        for (int j = 0; j < n; j++) {
          if (!used[j] && eligibleIgnoringSeller(j, s, liveInWindow, kinds, allowed, cfg)) {
            fail(at + ": position rules relaxed although input " + j + " fitted");
          }
        }
      } else {
        if (kinds[i] == L && s == 0 && cfg.noLiveInFirstSlot()) {
          fail(at + ": live stream in slot 1");
        }
        if (kinds[i] == L && s < cfg.liveWindow() && liveInWindow + 1 > cfg.maxLiveInWindow()) {
          fail(
              at
                  + ": more than "
                  + cfg.maxLiveInWindow()
                  + " live streams in the first "
                  + cfg.liveWindow());
        }
      }
      boolean sameSellerAsPrevious = s > 0 && sellers[i] == sellers[page[s - 1].input()];
      boolean relaxed = Blender.RULE_SELLER_RELAXED.equals(page[s].rule());
      if (sameSellerAsPrevious && cfg.noAdjacentSameSeller() && !relaxed && !positionRelaxed) {
        fail(at + ": same seller " + sellers[i] + " as the previous item without seller_relaxed");
      }
      if (relaxed) {
        if (!cfg.noAdjacentSameSeller() || !sameSellerAsPrevious) {
          fail(at + ": seller_relaxed but there was no seller rule to relax");
        }
        long previous = sellers[page[s - 1].input()];
        for (int j = 0; j < n; j++) {
          if (!used[j]
              && sellers[j] != previous
              && eligibleIgnoringSeller(j, s, liveInWindow, kinds, allowed, cfg)) {
            fail(
                at
                    + ": seller rule relaxed although input "
                    + j
                    + " (seller "
                    + sellers[j]
                    + ") fitted");
          }
        }
      }
      double mine = deficit(k, s, placed, allowed, cfg);
      if (Blender.RULE_KIND_SHARE.equals(page[s].rule())) {
        for (int o = 0; o < 3; o++) {
          if (allowed[o] && deficit(o, s, placed, allowed, cfg) > mine + EPS) {
            fail(
                at
                    + ": kind_share placed kind "
                    + (k + 1)
                    + " while kind "
                    + (o + 1)
                    + " was further behind");
          }
        }
      }
      // When the allowed kinds' shares sum to 0 there is no target mix, and either label is
      // acceptable.
      if (Blender.RULE_BACKFILL.equals(page[s].rule()) && mine != Double.NEGATIVE_INFINITY) {
        boolean someKindAheadWasEmpty = false;
        long previous = s == 0 ? Long.MIN_VALUE : sellers[page[s - 1].input()];
        for (int o = 0; o < 3; o++) {
          if (o == k || !allowed[o] || deficit(o, s, placed, allowed, cfg) < mine - EPS) {
            continue;
          }
          boolean hasPlaceable = false;
          for (int j = 0; j < n && !hasPlaceable; j++) {
            hasPlaceable =
                !used[j]
                    && kinds[j] - 1 == o
                    && eligibleIgnoringSeller(j, s, liveInWindow, kinds, allowed, cfg)
                    && !(cfg.noAdjacentSameSeller() && sellers[j] == previous);
          }
          someKindAheadWasEmpty |= !hasPlaceable;
        }
        if (!someKindAheadWasEmpty) {
          fail(
              at
                  + ": backfill although no kind ahead of kind "
                  + (k + 1)
                  + " was out of placeable items");
        }
      }
      used[i] = true;
      placed[k]++;
      if (kinds[i] == L && s < cfg.liveWindow()) {
        liveInWindow++;
      }
    }
    if (page.length < Math.min(pageSize, n)) {
      // With every rule relaxable as a last resort, a page ends early only when no allowed item is
      // left.
      for (int j = 0; j < n; j++) {
        if (!used[j] && allowed[kinds[j] - 1]) {
          fail(
              context
                  + ": page ended after "
                  + page.length
                  + " items although input "
                  + j
                  + " was left");
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Property test over random inputs.
  // ---------------------------------------------------------------------------------------------

  @Test
  void blend_randomInputsAndConfigs_everyPageObeysTheRules() {
    Random rnd = new Random(20_260_101L);
    int relaxedSeen = 0;
    int backfillSeen = 0;
    int shortPagesSeen = 0;
    int explorationSeen = 0;
    for (int c = 0; c < 2000; c++) {
      int n = rnd.nextInt(301);
      double[] kindWeight = {rnd.nextDouble(), rnd.nextDouble() * 0.6, rnd.nextDouble() * 0.4};
      if (rnd.nextInt(5) == 0) {
        kindWeight[rnd.nextInt(3)] = 0; // sometimes a kind is missing from the input
      }
      double total = kindWeight[0] + kindWeight[1] + kindWeight[2];
      int sellerCount = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 40);
      byte[] kinds = new byte[n];
      long[] sellers = new long[n];
      for (int i = 0; i < n; i++) {
        double u = rnd.nextDouble() * total;
        kinds[i] = u < kindWeight[0] ? P : u < kindWeight[0] + kindWeight[1] ? V : L;
        if (total == 0) {
          kinds[i] = P;
        }
        sellers[i] = 1000 + rnd.nextInt(sellerCount);
      }
      float[] shares = new float[3];
      for (int k = 0; k < 3; k++) {
        shares[k] = rnd.nextInt(6) == 0 ? 0f : rnd.nextFloat();
      }
      BlendConfig cfg =
          rnd.nextInt(4) == 0
              ? BlendConfig.DEFAULT
              : new BlendConfig(
                  shares,
                  rnd.nextBoolean(),
                  rnd.nextInt(9),
                  rnd.nextInt(4),
                  rnd.nextInt(5) != 0,
                  rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(12) : 0);
      boolean[] fresh = new boolean[n];
      for (int i = 0; i < n; i++) {
        fresh[i] = rnd.nextInt(10) == 0;
      }
      boolean[] allowed =
          rnd.nextInt(3) == 0
              ? new boolean[] {rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean()}
              : ALL.clone();
      int pageSize = rnd.nextInt(8) == 0 ? 400 : rnd.nextInt(61);
      Placement[] page = new Blender(cfg).blend(kinds, sellers, n, pageSize, allowed, null, fresh);
      String context =
          "case "
              + c
              + " (n "
              + n
              + ", pageSize "
              + pageSize
              + ", shares "
              + Arrays.toString(cfg.kindShare())
              + ", noLiveFirst "
              + cfg.noLiveInFirstSlot()
              + ", window "
              + cfg.liveWindow()
              + "/"
              + cfg.maxLiveInWindow()
              + ", sellerRule "
              + cfg.noAdjacentSameSeller()
              + ", allowed "
              + Arrays.toString(allowed)
              + ")";
      checkPage(kinds, sellers, n, pageSize, allowed, cfg, fresh, page, context);
      for (Placement p : page) {
        explorationSeen += Blender.RULE_EXPLORATION.equals(p.rule()) ? 1 : 0;
        relaxedSeen += Blender.RULE_SELLER_RELAXED.equals(p.rule()) ? 1 : 0;
        backfillSeen += Blender.RULE_BACKFILL.equals(p.rule()) ? 1 : 0;
      }
      shortPagesSeen += page.length < Math.min(pageSize, n) ? 1 : 0;
    }
    // The generator must actually exercise the interesting paths, or the property proves little.
    assertTrue(relaxedSeen > 0, "no seller_relaxed placement generated");
    assertTrue(backfillSeen > 0, "no backfill placement generated");
    assertTrue(shortPagesSeen > 0, "no short page generated");
    assertTrue(explorationSeen > 0, "no exploration placement generated");
  }

  @Test
  void checkPage_brokenPages_areRejected() {
    // The checker itself must catch violations, or the property test above would pass vacuously.
    byte[] kinds = {L, P, P, V};
    long[] sellers = {1, 2, 2, 3};
    BlendConfig cfg = BlendConfig.DEFAULT;
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                kinds,
                sellers,
                4,
                4,
                ALL,
                cfg,
                new Placement[] {new Placement(0, Blender.RULE_KIND_SHARE)},
                "live first"));
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                kinds,
                sellers,
                4,
                4,
                ALL,
                cfg,
                new Placement[] {
                  new Placement(1, Blender.RULE_KIND_SHARE),
                  new Placement(2, Blender.RULE_KIND_SHARE)
                },
                "same seller"));
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                kinds,
                sellers,
                4,
                4,
                ALL,
                cfg,
                new Placement[] {
                  new Placement(1, Blender.RULE_KIND_SHARE), new Placement(1, Blender.RULE_BACKFILL)
                },
                "twice"));
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                kinds,
                sellers,
                4,
                4,
                new boolean[] {true, false, true},
                cfg,
                new Placement[] {new Placement(3, Blender.RULE_KIND_SHARE)},
                "kind not allowed"));
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                kinds,
                sellers,
                4,
                4,
                ALL,
                cfg,
                new Placement[] {new Placement(1, Blender.RULE_KIND_SHARE)},
                "ended early"));
    byte[] lives = {P, V, L, L};
    long[] distinct = {1, 2, 3, 4};
    assertThrows(
        AssertionError.class,
        () ->
            checkPage(
                lives,
                distinct,
                4,
                4,
                ALL,
                cfg,
                new Placement[] {
                  new Placement(0, Blender.RULE_KIND_SHARE),
                  new Placement(2, Blender.RULE_BACKFILL),
                  new Placement(3, Blender.RULE_BACKFILL)
                },
                "two live streams in the window"));
  }

  // ---------------------------------------------------------------------------------------------
  // Examples with known answers.
  // ---------------------------------------------------------------------------------------------

  @Test
  void blend_allKindsPlentiful_sharesRespectedWithinOne() {
    Random rnd = new Random(99);
    for (int c = 0; c < 50; c++) {
      int n = 150;
      byte[] kinds = new byte[n];
      long[] sellers = new long[n];
      for (int i = 0; i < n; i++) {
        kinds[i] = (byte) (1 + rnd.nextInt(3));
        sellers[i] = i;
      }
      Placement[] page = new Blender(BlendConfig.DEFAULT).blend(kinds, sellers, n, 20, ALL);
      assertEquals(20, page.length);
      int[] perKind = new int[3];
      for (Placement p : page) {
        perKind[kinds[p.input()] - 1]++;
      }
      assertTrue(Math.abs(perKind[0] - 12) <= 1, "products " + Arrays.toString(perKind));
      assertTrue(Math.abs(perKind[1] - 6) <= 1, "videos " + Arrays.toString(perKind));
      assertTrue(Math.abs(perKind[2] - 2) <= 1, "live streams " + Arrays.toString(perKind));
      for (Placement p : page) {
        assertEquals(Blender.RULE_KIND_SHARE, p.rule(), "plentiful kinds need no backfill");
      }
    }
  }

  @Test
  void blend_missingKind_itsSlotsBackfilled() {
    int n = 60;
    byte[] kinds = new byte[n];
    long[] sellers = new long[n];
    for (int i = 0; i < n; i++) {
      kinds[i] = i % 5 == 4 ? L : P; // no videos at all
      sellers[i] = i;
    }
    Placement[] page = new Blender(BlendConfig.DEFAULT).blend(kinds, sellers, n, 20, ALL);
    assertEquals(20, page.length);
    // Slot 1: products lead (0.6 vs 0.3 vs 0.1). Slot 2: videos lead (0.3 x 2 = 0.6 vs 1.2 - 1 =
    // 0.2)
    // but there are none: a product fills the slot as backfill.
    assertEquals(Blender.RULE_KIND_SHARE, page[0].rule());
    assertEquals(P, kinds[page[0].input()]);
    assertEquals(Blender.RULE_BACKFILL, page[1].rule());
    int backfills = 0;
    for (Placement p : page) {
      assertTrue(kinds[p.input()] != V);
      backfills += Blender.RULE_BACKFILL.equals(p.rule()) ? 1 : 0;
    }
    assertTrue(backfills >= 5, "only " + backfills + " backfills for 6 video slots");
    checkPage(kinds, sellers, n, 20, ALL, BlendConfig.DEFAULT, page, "missing videos");
  }

  @Test
  void blend_kindNotAllowed_neverPlacedEvenWhenRankedFirst() {
    int n = 130;
    byte[] kinds = new byte[n];
    long[] sellers = new long[n];
    for (int i = 0; i < n; i++) {
      kinds[i] = i < 30 ? V : i % 2 == 0 ? P : L; // the 30 best-ranked items are videos
      sellers[i] = i;
    }
    boolean[] noVideos = {true, false, true};
    Placement[] page = new Blender(BlendConfig.DEFAULT).blend(kinds, sellers, n, 20, noVideos);
    assertEquals(20, page.length);
    int[] perKind = new int[3];
    for (Placement p : page) {
      perKind[kinds[p.input()] - 1]++;
    }
    assertEquals(0, perKind[1]);
    // Shares renormalised over the allowed kinds: 0.6 / 0.7 and 0.1 / 0.7 of 20 slots.
    assertTrue(Math.abs(perKind[0] - 17) <= 1, Arrays.toString(perKind));
    assertTrue(Math.abs(perKind[2] - 3) <= 1, Arrays.toString(perKind));
    checkPage(kinds, sellers, n, 20, noVideos, BlendConfig.DEFAULT, page, "no videos");
  }

  @Test
  void blend_bestRankedIsLiveStream_notInFirstSlotAndOnlyOneInWindow() {
    byte[] kinds = {L, L, L, P, P, P, P, P, P, P};
    long[] sellers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    BlendConfig liveHeavy = new BlendConfig(new float[] {0.5f, 0f, 0.5f}, true, 5, 1, true);
    Placement[] page = new Blender(liveHeavy).blend(kinds, sellers, 10, 8, ALL);
    int[] inputs = Arrays.stream(page).mapToInt(Placement::input).toArray();
    // Slot 1 must be a product (tie 0.5/0.5 goes to the lower kind code, and no live in slot 1
    // anyway);
    // slot 2 the best stream; slots 3-5 products (window full, so backfill); from slot 6 the
    // streams catch
    // up on their share (deficits 2 and 1.5), then the last slot goes to a product (no streams
    // left).
    assertArrayEquals(new int[] {3, 0, 4, 5, 6, 1, 2, 7}, inputs);
    assertArrayEquals(
        new String[] {
          Blender.RULE_KIND_SHARE,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_BACKFILL,
          Blender.RULE_BACKFILL,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_BACKFILL
        },
        Arrays.stream(page).map(Placement::rule).toArray());
    checkPage(kinds, sellers, 10, 8, ALL, liveHeavy, page, "live heavy");
  }

  @Test
  void blend_sameSellerEverywhere_alternatesThenRelaxes() {
    byte[] kinds = {P, P, P, P};
    long[] sellers = {1, 1, 1, 2};
    BlendConfig productsOnly = new BlendConfig(new float[] {1f, 0f, 0f}, true, 5, 1, true);
    Placement[] page = new Blender(productsOnly).blend(kinds, sellers, 4, 4, ALL);
    assertArrayEquals(
        new int[] {0, 3, 1, 2}, Arrays.stream(page).mapToInt(Placement::input).toArray());
    assertArrayEquals(
        new String[] {
          Blender.RULE_KIND_SHARE,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_KIND_SHARE,
          Blender.RULE_SELLER_RELAXED
        },
        Arrays.stream(page).map(Placement::rule).toArray());
  }

  @Test
  void blend_sellerRuleOff_keepsRankingOrder() {
    byte[] kinds = {P, P, P};
    long[] sellers = {1, 1, 2};
    BlendConfig noSellerRule = new BlendConfig(new float[] {1f, 0f, 0f}, true, 5, 1, false);
    Placement[] page = new Blender(noSellerRule).blend(kinds, sellers, 3, 3, ALL);
    assertArrayEquals(
        new int[] {0, 1, 2}, Arrays.stream(page).mapToInt(Placement::input).toArray());
  }

  @Test
  void blend_emptyInputOrZeroPageSize_returnsEmptyPage() {
    assertEquals(
        0, new Blender(BlendConfig.DEFAULT).blend(new byte[0], new long[0], 0, 20, ALL).length);
    assertEquals(
        0,
        new Blender(BlendConfig.DEFAULT).blend(new byte[] {P}, new long[] {1}, 1, 0, ALL).length);
  }

  @Test
  void blendConfig_invalidValues_throw() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, 1f}, true, 5, 1, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, -1f, 1f}, true, 5, 1, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, Float.NaN, 1f}, true, 5, 1, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, Float.POSITIVE_INFINITY, 1f}, true, 5, 1, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, 1f, 1f}, true, -1, 1, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BlendConfig(new float[] {1f, 1f, 1f}, true, 5, -1, true));
  }

  @Test
  void blend_mmr_lowLambdaPrefersADissimilarItemOverANearDuplicate() {
    // Three products, ranked 0 > 1 > 2; item 1 is a near duplicate of item 0, item 2 points
    // elsewhere.
    byte[] kinds = {P, P, P};
    long[] sellers = {1, 2, 3};
    float[] unit = {1, 0, 0.995f, 0.0999f, 0, 1};
    BlendConfig cfg = new BlendConfig(new float[] {1, 0, 0}, true, 5, 1, true);
    Placement[] plain =
        new Blender(cfg)
            .blend(
                kinds,
                sellers,
                3,
                3,
                ALL,
                new Blender.Diversity(new float[] {1f, 0.9f, 0.8f}, unit, 2, 1f));
    assertArrayEquals(
        new int[] {0, 1, 2},
        Arrays.stream(plain).mapToInt(Placement::input).toArray(),
        "lambda 1 keeps rank order");
    Placement[] diverse =
        new Blender(cfg)
            .blend(
                kinds,
                sellers,
                3,
                3,
                ALL,
                new Blender.Diversity(new float[] {1f, 0.9f, 0.8f}, unit, 2, 0.5f));
    assertArrayEquals(
        new int[] {0, 2, 1},
        Arrays.stream(diverse).mapToInt(Placement::input).toArray(),
        "lambda 0.5 places the dissimilar item before the near duplicate");
  }

  @Test
  void blend_mmrOverRandomInputs_stillObeysEveryRule() {
    Random rnd = new Random(7);
    for (int c = 0; c < 300; c++) {
      int n = rnd.nextInt(120);
      byte[] kinds = new byte[n];
      long[] sellers = new long[n];
      float[] rel = new float[n];
      float[] unit = new float[n * 4];
      for (int i = 0; i < n; i++) {
        kinds[i] = (byte) (1 + rnd.nextInt(3));
        sellers[i] = rnd.nextInt(6);
        rel[i] = 1f - i / (float) Math.max(1, n);
        double norm = 0;
        for (int d = 0; d < 4; d++) {
          unit[i * 4 + d] = (float) rnd.nextGaussian();
          norm += unit[i * 4 + d] * unit[i * 4 + d];
        }
        for (int d = 0; d < 4; d++) {
          unit[i * 4 + d] /= (float) Math.sqrt(norm);
        }
      }
      Placement[] page =
          new Blender(BlendConfig.DEFAULT)
              .blend(kinds, sellers, n, 20, ALL, new Blender.Diversity(rel, unit, 4, 0.7f));
      checkPage(kinds, sellers, n, 20, ALL, BlendConfig.DEFAULT, page, "mmr case " + c);
    }
  }

  @Test
  void blend_explorationSlot_placesTheBestFreshItemThere_andNamesWhatItDisplaced() {
    int n = 30;
    byte[] kinds = new byte[n];
    long[] sellers = new long[n];
    boolean[] fresh = new boolean[n];
    for (int i = 0; i < n; i++) {
      kinds[i] = P;
      sellers[i] = i;
    }
    fresh[25] = true;
    fresh[27] = true;
    BlendConfig cfg = new BlendConfig(new float[] {1, 0, 0}, true, 5, 1, true, 3);
    Placement[] page = new Blender(cfg).blend(kinds, sellers, n, 10, ALL, null, fresh);
    assertEquals(25, page[2].input());
    assertEquals(Blender.RULE_EXPLORATION, page[2].rule());
    assertEquals(2, page[2].displaced(), "ranking order would have placed input 2 there");
    assertEquals(-1, page[0].displaced());
    assertEquals(2, page[3].input(), "the displaced item comes next");
    checkPage(kinds, sellers, n, 10, ALL, cfg, fresh, page, "exploration");
    // The checker rejects an exploration slot filled by anything but the best fitting fresh item.
    Placement[] wrong = page.clone();
    wrong[2] = new Placement(27, Blender.RULE_EXPLORATION, 2);
    assertThrows(
        AssertionError.class,
        () -> checkPage(kinds, sellers, n, 10, ALL, cfg, fresh, wrong, "wrong fresh"));
  }
}
