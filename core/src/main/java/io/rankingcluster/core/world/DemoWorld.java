package io.rankingcluster.core.world;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.user.UserProfiles;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A synthetic shop, deterministic from a seed: sellers specialising in a few departments, products with
 * log-normal prices per category, shoppable videos linked to products, live streams with daily schedules,
 * Zipf-like popularity, and users with latent interests. Behaviour (impressions with position bias,
 * clicks, purchases, watch time) is simulated from a hidden ground truth ({@link GroundTruth}); the
 * catalog keeps only the observed statistics, so serving never sees the truth.
 *
 * <p>Items get decimal ids {@code 100001, 100002, ...} and users are named "1".."N", so that load
 * generators and examples can name known users and items.
 */
public final class DemoWorld {
  /** The clock of the world: statistics are "as of" this instant (2026-01-01T00:00:00Z). */
  public static final long AS_OF_MS = 1_767_225_600_000L;
  public static final long FIRST_ITEM_ID = 100_001L;
  private static final long DAY_MS = 86_400_000L;
  private static final String[] BRANDS = {"Acme", "Nova", "Lumen", "Terra", "Kite", "Orbit", "Maple", "Zephyr",
      "Cobalt", "Juniper", "Atlas", "Ember", "Pico", "Vela", "Quill", "Sable"};
  private static final String[] ADJECTIVES = {"Classic", "Compact", "Deluxe", "Eco", "Smart", "Vintage", "Pro",
      "Soft", "Bold", "Mini", "Ultra", "Daily"};

  public final Catalog catalog;
  public final CategoryTree categories;
  public final UserProfiles users;
  public final GroundTruth truth;
  public final long seed;

  private DemoWorld(long seed, Catalog catalog, CategoryTree categories, UserProfiles users, GroundTruth truth) {
    this.seed = seed;
    this.catalog = catalog;
    this.categories = categories;
    this.users = users;
    this.truth = truth;
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
        throw new IllegalArgumentException("impressionsPerUser must be >= 1, was " + impressionsPerUser);
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
      ItemKind kind = u < 0.70 ? ItemKind.PRODUCT : u < 0.92 ? ItemKind.VIDEO : ItemKind.LIVE_STREAM;
      int seller = rnd.nextInt(sellerCount);
      int[] deps = sellerDepartments[seller];
      int leaf = deps[rnd.nextInt(deps.length)] * tree.leavesPerParent() + rnd.nextInt(tree.leavesPerParent());
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
          b.prices[i] = (float) Math.round(Math.exp(categoryLogPrice[leaf] + 0.5 * gaussian(rnd)) * 100) / 100f;
          b.titles[i] = brand + " " + adjective + " " + noun;
          lastProductOfSeller[seller] = i;
          productRowsSeen++;
        }
        case VIDEO -> {
          // 80% of videos are shoppable: they feature the seller's latest product, if it has one.
          int linked = rnd.nextDouble() < 0.8 ? lastProductOfSeller[seller] : -1;
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
    long[][] recent = simulate(spec, b, tree, truth, quality, popularity, rnd);
    String[] userIds = new String[spec.users()];
    int[] countries = new int[spec.users()];
    for (int u = 0; u < spec.users(); u++) {
      userIds[u] = Integer.toString(u + 1);
      countries[u] = truth.country(u);
    }
    Catalog catalog = b.build();
    truth.attachItems(quality);
    return new DemoWorld(spec.seed(), catalog, tree, new UserProfiles(userIds, countries, recent), truth);
  }

  /**
   * Replays each user's sessions: impressions drawn half from the user's interests and half from global
   * popularity, shown at positions 1..20 with position bias; clicks, purchases and watch time drawn from
   * the ground truth. Fills the observed statistics and returns each user's clicked items, newest first.
   */
  private static long[][] simulate(Spec spec, Catalog.Builder b, CategoryTree tree, GroundTruth truth,
      float[] quality, float[] popularity, SplittableRandom rnd) {
    int n = b.ids.length;
    int leaves = tree.leafCount();
    double[] globalCdf = cumulative(popularity, null);
    int[][] itemsOfLeaf = new int[leaves][];
    double[][] leafCdf = new double[leaves][];
    for (int c = 0; c < leaves; c++) {
      final int leaf = c;
      itemsOfLeaf[c] = java.util.stream.IntStream.range(0, n).filter(i -> b.categories[i] == leaf).toArray();
      leafCdf[c] = cumulative(popularity, itemsOfLeaf[c]);
    }
    long[][] recent = new long[spec.users()][];
    ArrayDeque<Long> clicked = new ArrayDeque<>();
    for (int u = 0; u < spec.users(); u++) {
      clicked.clear();
      int impressions = (int) Math.min(spec.impressionsPerUser() * 6L,
          Math.round(spec.impressionsPerUser() * Math.exp(0.8 * gaussian(rnd) - 0.32)));
      for (int k = 0; k < impressions; k++) {
        int item;
        if (rnd.nextBoolean()) {
          int leaf = truth.sampleInterestLeaf(u, rnd);
          if (itemsOfLeaf[leaf].length == 0) {
            continue;
          }
          item = itemsOfLeaf[leaf][search(leafCdf[leaf], rnd.nextDouble())];
        } else {
          item = search(globalCdf, rnd.nextDouble());
        }
        int position = 1 + (k % 20);
        b.impressions[item]++;
        double pClick = truth.pClick(u, b.categories[item], b.kinds[item], b.prices[item], quality[item], position);
        if (rnd.nextDouble() < pClick) {
          b.clicks[item]++;
          clicked.addFirst(b.ids[item]);
          if (clicked.size() > UserProfiles.MAX_RECENT) {
            clicked.removeLast();
          }
          ItemKind kind = ItemKind.ofCode(b.kinds[item]);
          if (kind != ItemKind.PRODUCT) {
            b.watchSeconds[item] += (float) truth.watchSeconds(u, b.categories[item], quality[item], rnd);
          }
          if (b.prices[item] > 0 && rnd.nextDouble() < truth.pBuyAfterClick(u, kind, b.prices[item], quality[item])) {
            b.purchases[item]++;
          }
        }
      }
      recent[u] = clicked.stream().mapToLong(Long::longValue).toArray();
    }
    return recent;
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
