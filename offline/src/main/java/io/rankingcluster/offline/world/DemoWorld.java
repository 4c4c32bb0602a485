package io.rankingcluster.offline.world;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.user.UserProfiles;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A synthetic shop, deterministic from a seed: sellers specialising in a few departments, products
 * with log-normal prices per category, shoppable videos linked to products, live streams with daily
 * schedules, Zipf-like popularity, and users with latent interests. Behaviour (impressions with
 * position bias, clicks, purchases, watch time) is simulated from a hidden ground truth ({@link
 * GroundTruth}); the catalog keeps only the observed statistics, so serving never sees the truth.
 *
 * <p>Items get decimal ids {@code 100001, 100002, ...} and users are named "1".."N", so that load
 * generators and examples can name known users and items.
 */
public final class DemoWorld {
  /** The clock of the world: statistics are "as of" this instant (2026-01-01T00:00:00Z). */
  public static final long AS_OF_MS = 1_767_225_600_000L;

  public static final long FIRST_ITEM_ID = 100_001L;

  /** Creators of non-shoppable videos get ids from here on (sellers start at 1000). */
  public static final long CREATOR_ID_BASE = 900_000L;

  private static final long DAY_MS = 86_400_000L;
  private static final String[] BRANDS = {
    "Acme", "Nova", "Lumen", "Terra", "Kite", "Orbit", "Maple", "Zephyr", "Cobalt", "Juniper",
    "Atlas", "Ember", "Pico", "Vela", "Quill", "Sable"
  };
  private static final String[] ADJECTIVES = {
    "Classic", "Compact", "Deluxe", "Eco", "Smart", "Vintage", "Pro", "Soft", "Bold", "Mini",
    "Ultra", "Daily"
  };

  public final Catalog catalog;
  public final CategoryTree categories;
  public final UserProfiles users;
  public final GroundTruth truth;

  /** Every impression and its outcome, in time order. */
  public final EventLog events;

  public final Spec spec;
  public final long seed;

  private DemoWorld(
      Spec spec,
      Catalog catalog,
      CategoryTree categories,
      UserProfiles users,
      GroundTruth truth,
      EventLog events) {
    this.spec = spec;
    this.seed = spec.seed();
    this.catalog = catalog;
    this.categories = categories;
    this.users = users;
    this.truth = truth;
    this.events = events;
  }

  /** The instant (ms since the epoch) of a time in seconds since the world's start. */
  public static long epochMs(int timeSec) {
    return AS_OF_MS - GroundTruth.PERIOD_SECONDS * 1000L + timeSec * 1000L;
  }

  /** Size and seed of a world. */
  public record Spec(long seed, int items, int users, int impressionsPerUser) {
    public Spec {
      if (items < 100) {
        throw new IllegalArgumentException("items must be >= 100, was " + items);
      }
      if (users < 1) {
        throw new IllegalArgumentException("users must be >= 1, was " + users);
      }
      if (impressionsPerUser < 1) {
        throw new IllegalArgumentException(
            "impressionsPerUser must be >= 1, was " + impressionsPerUser);
      }
    }
  }

  /** Generates the world of a spec; the same spec always yields the same world. */
  public static DemoWorld generate(Spec spec) {
    SplittableRandom rnd = new SplittableRandom(spec.seed());
    CategoryTree tree = CategoryTree.demo();
    int leaves = tree.leafCount();
    int n = spec.items();

    // Sellers: each specialises in one to three departments and sells in one to four countries.
    int sellerCount = Math.max(10, n / 40);
    int[][] sellerDepartments = new int[sellerCount][];
    int[] sellerCountries = new int[sellerCount];
    for (int s = 0; s < sellerCount; s++) {
      int k = 1 + rnd.nextInt(3);
      sellerDepartments[s] = new int[k];
      for (int j = 0; j < k; j++) {
        sellerDepartments[s][j] = rnd.nextInt(tree.parentCount());
      }
      int mask = 1 << rnd.nextInt(Catalog.COUNTRIES.length);
      int extra = rnd.nextInt(4);
      for (int j = 0; j < extra; j++) {
        mask |= 1 << rnd.nextInt(Catalog.COUNTRIES.length);
      }
      sellerCountries[s] = mask;
    }
    float[] categoryLogPrice = new float[leaves];
    for (int c = 0; c < leaves; c++) {
      categoryLogPrice[c] = (float) (Math.log(8) + rnd.nextDouble() * Math.log(40));
    }

    Catalog.Builder b = new Catalog.Builder(n, leaves);
    float[] quality = new float[n];
    float[] popularity = new float[n];
    // Zipf-like popularity: a random permutation of ranks, weight 1 / rank^0.9.
    int[] rank = permutation(n, rnd);
    int productRowsSeen = 0;
    int[] lastProductOfSeller = new int[sellerCount];
    Arrays.fill(lastProductOfSeller, -1);
    for (int i = 0; i < n; i++) {
      b.ids[i] = FIRST_ITEM_ID + i;
      double u = rnd.nextDouble();
      ItemKind kind =
          u < 0.70 ? ItemKind.PRODUCT : u < 0.92 ? ItemKind.VIDEO : ItemKind.LIVE_STREAM;
      int seller = rnd.nextInt(sellerCount);
      int[] deps = sellerDepartments[seller];
      int leaf =
          deps[rnd.nextInt(deps.length)] * tree.leavesPerParent()
              + rnd.nextInt(tree.leavesPerParent());
      b.kinds[i] = kind.code();
      b.sellers[i] = 1_000L + seller;
      b.categories[i] = leaf;
      b.countryMasks[i] = sellerCountries[seller];
      b.inStock[i] = kind != ItemKind.PRODUCT || rnd.nextDouble() > 0.03;
      b.linkedProductRow[i] = -1;
      b.liveStartMinute[i] = -1;
      // Most items are months old; about 2% arrived in the last two days (cold start for items).
      double ageDays = rnd.nextDouble() < 0.02 ? rnd.nextDouble() * 2 : 2 + rnd.nextDouble() * 365;
      b.createdMs[i] = AS_OF_MS - (long) (ageDays * DAY_MS);
      quality[i] = (float) gaussian(rnd);
      popularity[i] = (float) (1.0 / Math.pow(rank[i] + 1, 0.9));
      String brand = BRANDS[(int) ((seller * 7L) % BRANDS.length)];
      String noun = tree.leafName(leaf);
      String adjective = ADJECTIVES[rnd.nextInt(ADJECTIVES.length)];
      switch (kind) {
        case PRODUCT -> {
          b.prices[i] =
              (float) Math.round(Math.exp(categoryLogPrice[leaf] + 0.5 * gaussian(rnd)) * 100)
                  / 100f;
          b.titles[i] = brand + " " + adjective + " " + noun;
          lastProductOfSeller[seller] = i;
          productRowsSeen++;
        }
        case VIDEO -> {
          // 80% of videos are shoppable: they feature the seller's latest product, if it has one.
          // The others
          // come from independent creators.
          int linked = rnd.nextDouble() < 0.8 ? lastProductOfSeller[seller] : -1;
          if (linked < 0) {
            b.sellers[i] = CREATOR_ID_BASE + rnd.nextInt(Math.max(1, sellerCount / 2));
          }
          b.linkedProductRow[i] = linked;
          if (linked >= 0) {
            b.categories[i] = b.categories[linked];
            b.prices[i] = b.prices[linked];
            b.titles[i] = "Video: " + b.titles[linked] + " in action";
          } else {
            b.titles[i] = "Video: " + adjective + " " + noun + " tips";
          }
        }
        case LIVE_STREAM -> {
          b.liveStartMinute[i] = (short) rnd.nextInt(1440);
          b.liveDurationMinutes[i] = (short) (60 + rnd.nextInt(181));
          b.titles[i] = "Live: " + brand + " " + noun + " show";
        }
      }
    }
    if (productRowsSeen == 0) {
      throw new IllegalStateException("world has no products; use more items");
    }

    GroundTruth truth = GroundTruth.create(spec.users(), tree, rnd);
    truth.attachItems(quality, b.categories, b.kinds, b.prices);
    EventLog events = simulate(spec, b, tree, truth, popularity, rnd);
    String[] userIds = new String[spec.users()];
    int[] countries = new int[spec.users()];
    for (int u = 0; u < spec.users(); u++) {
      userIds[u] = Integer.toString(u + 1);
      countries[u] = truth.country(u);
    }
    Catalog shape = b.build();
    Catalog catalog = withStatistics(shape, events, GroundTruth.PERIOD_SECONDS);
    UserProfiles users =
        new UserProfiles(
            userIds,
            countries,
            recentClicks(events, shape, spec.users(), GroundTruth.PERIOD_SECONDS));
    return new DemoWorld(spec, catalog, tree, users, truth, events);
  }

  /**
   * The catalog with its statistics (impressions, clicks, carts, purchases, watch seconds) counted
   * from the events before {@code untilSec}: what the shop had observed at that time.
   */
  public static Catalog withStatistics(Catalog shape, EventLog events, int untilSec) {
    Catalog.Builder b = shape.toBuilder();
    java.util.Arrays.fill(b.impressions, 0);
    java.util.Arrays.fill(b.clicks, 0);
    java.util.Arrays.fill(b.carts, 0);
    java.util.Arrays.fill(b.purchases, 0);
    java.util.Arrays.fill(b.watchSeconds, 0f);
    for (int e = 0; e < events.size() && events.timeSec(e) < untilSec; e++) {
      int i = events.item(e);
      b.impressions[i]++;
      if (events.clicked(e)) {
        b.clicks[i]++;
        b.watchSeconds[i] += events.watchSeconds(e);
      }
      if (events.carted(e)) {
        b.carts[i]++;
      }
      if (events.purchased(e)) {
        b.purchases[i]++;
      }
    }
    return b.build();
  }

  /** Each user's clicked item ids before {@code untilSec}, newest first, at most MAX_RECENT. */
  public static long[][] recentClicks(EventLog events, Catalog catalog, int users, int untilSec) {
    int[] count = new int[users];
    int end = 0;
    while (end < events.size() && events.timeSec(end) < untilSec) {
      end++;
    }
    long[][] recent = new long[users][];
    for (int e = end - 1; e >= 0; e--) {
      if (events.clicked(e) && count[events.user(e)] < UserProfiles.MAX_RECENT) {
        count[events.user(e)]++;
      }
    }
    for (int u = 0; u < users; u++) {
      recent[u] = new long[count[u]];
    }
    int[] filled = new int[users];
    for (int e = end - 1; e >= 0; e--) {
      int u = events.user(e);
      if (events.clicked(e) && filled[u] < count[u]) {
        recent[u][filled[u]++] = catalog.ids[events.item(e)];
      }
    }
    return recent;
  }

  /**
   * Simulates each user's sessions over the period: sessions of 20 slots at times drawn around the
   * user's preferred hour; each slot shows an item drawn from the user's (drifting) interests, from
   * global popularity, from the category of the user's last click, or uniformly (so that the long
   * tail and new items get impressions); off-air live streams are not shown. Clicks, carts,
   * purchases and watch time come from the ground truth. Returns the log in time order.
   */
  private static EventLog simulate(
      Spec spec,
      Catalog.Builder b,
      CategoryTree tree,
      GroundTruth truth,
      float[] popularity,
      SplittableRandom rnd) {
    int n = b.ids.length;
    int leaves = tree.leafCount();
    double[] globalCdf = cumulative(popularity, null);
    int[][] itemsOfLeaf = new int[leaves][];
    int[] leafCount = new int[leaves];
    for (int i = 0; i < n; i++) {
      leafCount[b.categories[i]]++;
    }
    for (int c = 0; c < leaves; c++) {
      itemsOfLeaf[c] = new int[leafCount[c]];
      leafCount[c] = 0;
    }
    for (int i = 0; i < n; i++) {
      int c = b.categories[i];
      itemsOfLeaf[c][leafCount[c]++] = i;
    }
    double[][] leafCdf = new double[leaves][];
    for (int c = 0; c < leaves; c++) {
      leafCdf[c] = cumulative(popularity, itemsOfLeaf[c]);
    }
    EventLog log =
        new EventLog(
            (int) Math.min(Integer.MAX_VALUE - 8, (long) spec.users() * spec.impressionsPerUser()));
    for (int u = 0; u < spec.users(); u++) {
      int impressions =
          (int)
              Math.min(
                  spec.impressionsPerUser() * 6L,
                  Math.max(
                      20,
                      Math.round(
                          spec.impressionsPerUser() * Math.exp(0.8 * gaussian(rnd) - 0.32))));
      int lastClickedLeaf = -1;
      for (int shown = 0; shown < impressions; ) {
        int day = rnd.nextInt(GroundTruth.DAYS);
        int hour =
            Math.floorMod(truth.preferredHour(u) + (int) Math.round(2.5 * gaussian(rnd)), 24);
        int sessionStart = day * 86_400 + hour * 3600 + rnd.nextInt(3600);
        for (int position = 1; position <= 20 && shown < impressions; position++, shown++) {
          int t = sessionStart + position * 7;
          int item = -1;
          for (int attempt = 0; attempt < 6 && item < 0; attempt++) {
            double r = rnd.nextDouble();
            int candidate;
            if (r < 0.45) {
              int leaf = truth.sampleInterestLeaf(u, t, rnd);
              if (itemsOfLeaf[leaf].length == 0) {
                continue;
              }
              candidate = itemsOfLeaf[leaf][search(leafCdf[leaf], rnd.nextDouble())];
            } else if (r < 0.80) {
              candidate = search(globalCdf, rnd.nextDouble());
            } else if (r < 0.90
                && lastClickedLeaf >= 0
                && itemsOfLeaf[lastClickedLeaf].length > 0) {
              candidate =
                  itemsOfLeaf[lastClickedLeaf][rnd.nextInt(itemsOfLeaf[lastClickedLeaf].length)];
            } else {
              candidate = rnd.nextInt(n);
            }
            if (b.kinds[candidate] == ItemKind.LIVE_STREAM.code()
                && !onAir(b.liveStartMinute[candidate], b.liveDurationMinutes[candidate], t)) {
              continue;
            }
            // Items exist only after they were created, and a shop shows a user only what sells in
            // their country.
            if (b.createdMs[candidate] > epochMs(t)
                || (b.countryMasks[candidate] & (1 << truth.country(u))) == 0) {
              continue;
            }
            item = candidate;
          }
          if (item < 0) {
            continue;
          }
          byte flags = 0;
          float watched = 0;
          if (rnd.nextDouble() < truth.pClick(u, item, position, t)) {
            flags |= EventLog.CLICK;
            lastClickedLeaf = b.categories[item];
            double meanWatch = truth.meanWatchSeconds(u, item, t);
            if (meanWatch > 0) {
              watched = (float) (-meanWatch * Math.log(1 - rnd.nextDouble()));
            }
            boolean canBuy = b.prices[item] > 0 || b.kinds[item] == ItemKind.LIVE_STREAM.code();
            double pBuy = canBuy ? truth.pBuyAfterClick(u, item) : 0;
            // Most purchases go through the cart; some carts are abandoned.
            if (canBuy && rnd.nextDouble() < Math.min(1.0, 2.5 * pBuy)) {
              flags |= EventLog.CART;
              if (rnd.nextDouble() < 0.4) {
                flags |= EventLog.PURCHASE;
              }
            }
          }
          log.add(u, item, t, position, flags, watched);
        }
      }
    }
    log.sortByTime();
    return log;
  }

  private static boolean onAir(short start, short duration, int timeSec) {
    if (start < 0) {
      return false;
    }
    int minuteOfDay = Math.floorMod((int) (epochMs(timeSec) / 60_000L), 1440);
    return Math.floorMod(minuteOfDay - start, 1440) < duration;
  }

  private static double[] cumulative(float[] weights, int[] subset) {
    int m = subset == null ? weights.length : subset.length;
    double[] cdf = new double[m];
    double sum = 0;
    for (int j = 0; j < m; j++) {
      sum += weights[subset == null ? j : subset[j]];
      cdf[j] = sum;
    }
    for (int j = 0; j < m; j++) {
      cdf[j] /= sum;
    }
    return cdf;
  }

  private static int search(double[] cdf, double u) {
    int i = Arrays.binarySearch(cdf, u);
    int idx = i >= 0 ? i : -i - 1;
    return Math.min(idx, cdf.length - 1);
  }

  private static int[] permutation(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  static double gaussian(SplittableRandom rnd) {
    // Box-Muller from two uniforms: SplittableRandom has no nextGaussian on JDK 17.
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
