package io.rankingcluster.core.snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * File names, magics and text rules of format version 1; docs/snapshot-format.md is the prose of
 * this.
 */
final class Layout {
  static final String ITEMS = "items.bin";
  static final String TITLES = "titles.txt";
  static final String CATEGORIES = "categories.tsv";
  static final String USERS = "users.bin";
  static final String USER_IDS = "user_ids.txt";
  static final String ITEM_EMBEDDINGS = "item_embeddings.f32";
  static final String USER_VECTORS = "user_vectors.f32";
  static final String I2I = "i2i.bin";
  static final String MODELS_DIR = "models";
  static final String MODEL_SUFFIX = ".bin";
  static final String CURRENT = "CURRENT";

  /** Prefix of temporary folders; a leading dot keeps them out of the version-name space. */
  static final String TMP_PREFIX = ".tmp-";

  /** Files every version must list, in the order the writer writes them. */
  static final List<String> REQUIRED =
      List.of(ITEMS, TITLES, CATEGORIES, USERS, USER_IDS, ITEM_EMBEDDINGS, USER_VECTORS, I2I);

  static final byte[] ITEMS_MAGIC = ascii8("RCITEMS");
  static final byte[] USERS_MAGIC = ascii8("RCUSERS");
  static final byte[] I2I_MAGIC = ascii8("RCI2I");

  /** Model names become file names, so they get the same rules as path segments. */
  static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private Layout() {}

  /** ASCII text padded with NULs to 8 bytes. */
  private static byte[] ascii8(String s) {
    byte[] out = new byte[8];
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  static String modelPath(String name) {
    return MODELS_DIR + "/" + name + MODEL_SUFFIX;
  }

  /** The model name of a manifest path "models/NAME.bin", or null for any other path. */
  static String modelName(String path) {
    String prefix = MODELS_DIR + "/";
    if (!path.startsWith(prefix) || !path.endsWith(MODEL_SUFFIX)) {
      return null;
    }
    String name = path.substring(prefix.length(), path.length() - MODEL_SUFFIX.length());
    return MODEL_NAME.matcher(name).matches() ? name : null;
  }

  /** Why a string cannot be one line of a text file, or null when it can. */
  static String lineProblem(String s) {
    if (s == null) {
      return "is null";
    }
    if (s.indexOf('\n') >= 0) {
      return "contains a line feed";
    }
    if (s.indexOf('\r') >= 0) {
      return "contains a carriage return";
    }
    return null;
  }

  /**
   * Splits a text file into lines: strict UTF-8 (no BOM), every line ended by '\n', no '\r'
   * anywhere (a CRLF file from another tool is refused rather than read with stray characters).
   */
  static List<String> lines(byte[] bytes, String name) throws SnapshotException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new SnapshotException(name + ": not valid UTF-8");
    }
    if (text.startsWith("\uFEFF")) {
      throw new SnapshotException(
          name + ": starts with a byte-order mark (write UTF-8 without BOM)");
    }
    List<String> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    if (text.charAt(text.length() - 1) != '\n') {
      throw new SnapshotException(name + ": last line not ended by '\\n'");
    }
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r') {
        throw new SnapshotException(
            name + ": line " + (out.size() + 1) + " contains a carriage return");
      }
      if (c == '\n') {
        out.add(text.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }
}
