package io.rankingcluster.core.catalog;

/**
 * A two-level category tree: leaves are numbered 0..leafCount-1 and leaf c has parent {@code c /
 * leavesPerParent}. Names are for display only.
 */
public final class CategoryTree {
  private final String[] parentNames;
  private final String[][] leafNames;
  private final int leavesPerParent;

  public CategoryTree(String[] parentNames, String[][] leafNames) {
    this.parentNames = parentNames.clone();
    this.leafNames = leafNames.clone();
    this.leavesPerParent = leafNames[0].length;
    for (String[] leaves : leafNames) {
      if (leaves.length != leavesPerParent) {
        throw new IllegalArgumentException(
            "every parent category needs " + leavesPerParent + " leaves");
      }
    }
  }

  public int leafCount() {
    return parentNames.length * leavesPerParent;
  }

  public int parentCount() {
    return parentNames.length;
  }

  public int parentOf(int leaf) {
    return leaf / leavesPerParent;
  }

  public int leavesPerParent() {
    return leavesPerParent;
  }

  public String leafName(int leaf) {
    return leafNames[parentOf(leaf)][leaf % leavesPerParent];
  }

  public String parentName(int parent) {
    return parentNames[parent];
  }

  /** The tree the demo shop uses: 12 departments of 4 leaves each. */
  public static CategoryTree demo() {
    return new CategoryTree(
        new String[] {
          "Beauty",
          "Electronics",
          "Home",
          "Fashion",
          "Sports",
          "Toys",
          "Grocery",
          "Books",
          "Garden",
          "Pets",
          "Auto",
          "Health"
        },
        new String[][] {
          {"Serum", "Lipstick", "Shampoo", "Perfume"},
          {"Headphones", "Phone Case", "Charger", "Speaker"},
          {"Lamp", "Pillow", "Mug", "Rug"},
          {"Sneakers", "Jacket", "Scarf", "Backpack"},
          {"Yoga Mat", "Dumbbell", "Bottle", "Racket"},
          {"Puzzle", "Robot Kit", "Plush", "Blocks"},
          {"Coffee", "Tea", "Chocolate", "Olive Oil"},
          {"Novel", "Cookbook", "Comic", "Atlas"},
          {"Planter", "Hose", "Seeds", "Shears"},
          {"Dog Bed", "Cat Toy", "Leash", "Aquarium"},
          {"Dash Cam", "Wax", "Seat Cover", "Tire Gauge"},
          {"Vitamins", "Thermometer", "Massager", "Face Mask"}
        });
  }
}
