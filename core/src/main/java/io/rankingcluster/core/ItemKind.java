package io.rankingcluster.core;

/**
 * The three kinds of item on a page. {@link #code()} equals the ranking.v1 {@code ItemKind} number,
 * so hot paths carry kinds as bytes and the service layer maps them without a table.
 */
public enum ItemKind {
  PRODUCT(1, "product"),
  VIDEO(2, "video"),
  LIVE_STREAM(3, "live_stream");

  /** Number of kinds; arrays indexed by {@code code() - 1} have this length. */
  public static final int COUNT = 3;

  private static final ItemKind[] BY_CODE = {null, PRODUCT, VIDEO, LIVE_STREAM};

  private final byte code;
  private final String label;

  ItemKind(int code, String label) {
    this.code = (byte) code;
    this.label = label;
  }

  public byte code() {
    return code;
  }

  /** Zero-based index for per-kind arrays. */
  public int index() {
    return code - 1;
  }

  /** Stable lower-case name used in configuration, metrics and logs. */
  public String label() {
    return label;
  }

  /** The kind with this code, or null when the code names no kind. */
  public static ItemKind ofCode(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /**
   * The kind with this label ("product", "video", "live_stream"); throws naming the label
   * otherwise.
   */
  public static ItemKind ofLabel(String label) {
    for (ItemKind k : values()) {
      if (k.label.equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown item kind '" + label + "' (expected product, video or live_stream)");
  }
}
