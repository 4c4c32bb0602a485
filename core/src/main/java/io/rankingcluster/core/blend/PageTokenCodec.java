package io.rankingcluster.core.blend;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque next-page token: which page comes next and which items were served so far, signed with
 * HMAC-SHA256 so that a client cannot alter it. Stateless: any mixer replica with the key accepts
 * it.
 *
 * <p>Layout before base64url (no padding): format (1 byte, = 1), key id (1 byte), issued-at ms (8),
 * next page number (4), served-id count (4), served ids (8 each, oldest first), then the 32-byte
 * MAC over all of that. Several keys can be known at once (rotation): tokens are signed with the
 * current key and accepted with any known one.
 */
public final class PageTokenCodec {
  /**
   * At most this many served ids are carried; beyond it the oldest are dropped (and may reappear).
   */
  public static final int MAX_SERVED = 1000;

  private static final byte FORMAT = 1;
  private static final int HEADER = 1 + 1 + 8 + 4 + 4;
  private static final int MAC_BYTES = 32;

  private final Map<Integer, byte[]> keys;
  private final int currentKeyId;
  private final long ttlMs;

  /** Token content. */
  public record PageState(int nextPage, long[] servedIds, long issuedAtMs) {}

  /** A token that is malformed, forged, signed with an unknown key, or expired. */
  public static final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidTokenException(String message) {
      super(message);
    }
  }

  public PageTokenCodec(Map<Integer, byte[]> keys, int currentKeyId, long ttlMs) {
    if (!keys.containsKey(currentKeyId)) {
      throw new IllegalArgumentException(
          "current page-token key id " + currentKeyId + " has no key");
    }
    for (Map.Entry<Integer, byte[]> e : keys.entrySet()) {
      if (e.getKey() < 0 || e.getKey() > 255) {
        throw new IllegalArgumentException("page-token key id must be 0..255, was " + e.getKey());
      }
      if (e.getValue().length < 16) {
        throw new IllegalArgumentException(
            "page-token key " + e.getKey() + " is shorter than 16 bytes");
      }
    }
    this.keys = Map.copyOf(keys);
    this.currentKeyId = currentKeyId;
    this.ttlMs = ttlMs;
  }

  public String encode(PageState state) {
    long[] served = state.servedIds();
    int from = Math.max(0, served.length - MAX_SERVED);
    int count = served.length - from;
    ByteBuffer buf = ByteBuffer.allocate(HEADER + 8 * count + MAC_BYTES);
    buf.put(FORMAT)
        .put((byte) currentKeyId)
        .putLong(state.issuedAtMs())
        .putInt(state.nextPage())
        .putInt(count);
    for (int i = from; i < served.length; i++) {
      buf.putLong(served[i]);
    }
    byte[] mac = mac(currentKeyId, buf.array(), buf.position());
    buf.put(mac);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /** Decodes and verifies a token; {@code nowMs} judges expiry. */
  public PageState decode(String token, long nowMs) throws InvalidTokenException {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("not a page token (bad encoding)");
    }
    // The decoder ignores the unused low bits of the last character and accepts padding, so several
    // strings
    // decode to the same bytes; accept only the one string encode() produces.
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(token)) {
      throw new InvalidTokenException("not a page token (non-canonical encoding)");
    }
    if (raw.length < HEADER + MAC_BYTES || raw[0] != FORMAT) {
      throw new InvalidTokenException("not a page token (bad format)");
    }
    int keyId = raw[1] & 0xff;
    if (!keys.containsKey(keyId)) {
      throw new InvalidTokenException("page token signed with an unknown key");
    }
    ByteBuffer buf = ByteBuffer.wrap(raw);
    buf.position(2);
    long issuedAt = buf.getLong();
    int nextPage = buf.getInt();
    int count = buf.getInt();
    if (count < 0 || count > MAX_SERVED || raw.length != HEADER + 8L * count + MAC_BYTES) {
      throw new InvalidTokenException("not a page token (bad length)");
    }
    int signedLength = HEADER + 8 * count;
    byte[] expected = mac(keyId, raw, signedLength);
    byte[] actual = java.util.Arrays.copyOfRange(raw, signedLength, raw.length);
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new InvalidTokenException("page token signature does not match (altered or forged)");
    }
    if (ttlMs > 0 && nowMs - issuedAt > ttlMs) {
      throw new InvalidTokenException("page token expired");
    }
    long[] served = new long[count];
    for (int i = 0; i < count; i++) {
      served[i] = buf.getLong();
    }
    return new PageState(nextPage, served, issuedAt);
  }

  private byte[] mac(int keyId, byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keys.get(keyId), "HmacSHA256"));
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable in this JVM", e);
    }
  }
}
