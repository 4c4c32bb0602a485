package io.rankingcluster.core.blend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.blend.PageTokenCodec.InvalidTokenException;
import io.rankingcluster.core.blend.PageTokenCodec.PageState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PageTokenCodecTest {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final long TTL = 60_000L;
  private static final long ISSUED = 1_767_225_600_000L;
  private static final byte[] OLD_KEY = bytes(1);
  private static final byte[] NEW_KEY = bytes(101);

  private static byte[] bytes(int first) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (first + i);
    }
    return k;
  }

  private static PageTokenCodec codecA() {
    return new PageTokenCodec(Map.of(1, OLD_KEY), 1, TTL);
  }

  private static PageState state(long... served) {
    return new PageState(3, served, ISSUED);
  }

  private static Base64.Encoder encoder() {
    return Base64.getUrlEncoder().withoutPadding();
  }

  @Test
  void decode_ownToken_roundTripsEveryField() throws Exception {
    PageTokenCodec codec = codecA();
    long[] served = {5, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 0, 100_001};
    PageState back = codec.decode(codec.encode(new PageState(7, served, ISSUED)), ISSUED + 1_000);
    assertEquals(7, back.nextPage());
    assertArrayEquals(served, back.servedIds());
    assertEquals(ISSUED, back.issuedAtMs());
    PageState empty = codec.decode(codec.encode(new PageState(0, new long[0], ISSUED)), ISSUED);
    assertEquals(0, empty.nextPage());
    assertEquals(0, empty.servedIds().length);
  }

  @Test
  void encode_tokenIsUnpaddedBase64Url() {
    String token = codecA().encode(state(1, 2, 3));
    for (char ch : token.toCharArray()) {
      assertTrue(ALPHABET.indexOf(ch) >= 0, "character '" + ch + "' in " + token);
    }
  }

  @Test
  void decode_anySingleCharacterAltered_rejected() {
    PageTokenCodec codec = codecA();
    // Three lengths of served list: the token length mod 4 differs, so the last character carries
    // 2, 4 or 6
    // payload bits.
    for (long[] served : new long[][] {{}, {42}, {42, 43}}) {
      String token = codec.encode(state(served));
      for (int pos = 0; pos < token.length(); pos++) {
        for (char ch : ALPHABET.toCharArray()) {
          if (ch == token.charAt(pos)) {
            continue;
          }
          String altered = token.substring(0, pos) + ch + token.substring(pos + 1);
          final int p = pos;
          assertThrows(
              InvalidTokenException.class,
              () -> codec.decode(altered, ISSUED),
              () ->
                  "accepted token with character "
                      + p
                      + " of "
                      + token.length()
                      + " changed to '"
                      + ch
                      + "'");
        }
      }
    }
  }

  @Test
  void decode_anyByteFlippedBeforeEncoding_rejected() throws Exception {
    PageTokenCodec codec = codecA();
    byte[] raw = Base64.getUrlDecoder().decode(codec.encode(state(11, 12, 13)));
    for (int i = 0; i < raw.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] tampered = raw.clone();
        tampered[i] ^= (byte) (1 << bit);
        String token = encoder().encodeToString(tampered);
        assertThrows(
            InvalidTokenException.class,
            () -> codec.decode(token, ISSUED),
            "byte " + i + " bit " + bit);
      }
    }
    // Sanity: the untouched bytes, re-encoded, are accepted.
    assertEquals(3, codec.decode(encoder().encodeToString(raw), ISSUED).nextPage());
  }

  @Test
  void decode_signedWithDifferentKeyBytesUnderSameId_rejected() {
    PageTokenCodec forger = new PageTokenCodec(Map.of(1, bytes(7)), 1, TTL);
    String forged = forger.encode(state(1, 2));
    InvalidTokenException e =
        assertThrows(InvalidTokenException.class, () -> codecA().decode(forged, ISSUED));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void decode_unknownKeyId_rejected() {
    PageTokenCodec other = new PageTokenCodec(Map.of(7, OLD_KEY), 7, TTL);
    String token = other.encode(state(1, 2));
    InvalidTokenException e =
        assertThrows(InvalidTokenException.class, () -> codecA().decode(token, ISSUED));
    assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
  }

  @Test
  void decode_duringRotation_oldTokensAcceptedAndNewOnesSignedWithNewKey() throws Exception {
    PageTokenCodec a = codecA(); // before rotation: signs with 1 = old
    PageTokenCodec b =
        new PageTokenCodec(Map.of(1, OLD_KEY, 2, NEW_KEY), 2, TTL); // knows both, signs with 2
    PageTokenCodec c =
        new PageTokenCodec(Map.of(2, NEW_KEY), 2, TTL); // after the old key is retired

    String fromA = a.encode(state(9, 8));
    assertArrayEquals(new long[] {9, 8}, b.decode(fromA, ISSUED).servedIds());

    String fromB = b.encode(state(7));
    assertEquals(2, Base64.getUrlDecoder().decode(fromB)[1], "B signs with key id 2");
    assertArrayEquals(new long[] {7}, b.decode(fromB, ISSUED).servedIds());
    assertArrayEquals(new long[] {7}, c.decode(fromB, ISSUED).servedIds());
    assertThrows(
        InvalidTokenException.class, () -> a.decode(fromB, ISSUED)); // A does not know key 2 yet
    assertThrows(InvalidTokenException.class, () -> c.decode(fromA, ISSUED)); // old key retired
  }

  @Test
  void decode_afterTtl_rejectedAndAtTtl_accepted() throws Exception {
    PageTokenCodec codec = codecA();
    String token = codec.encode(state(1));
    assertEquals(3, codec.decode(token, ISSUED + TTL).nextPage());
    InvalidTokenException e =
        assertThrows(InvalidTokenException.class, () -> codec.decode(token, ISSUED + TTL + 1));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
    assertThrows(InvalidTokenException.class, () -> codec.decode(token, Long.MAX_VALUE / 2));
  }

  @Test
  void decode_ttlZero_neverExpires() throws Exception {
    PageTokenCodec codec = new PageTokenCodec(Map.of(1, OLD_KEY), 1, 0);
    assertEquals(3, codec.decode(codec.encode(state(1)), Long.MAX_VALUE / 2).nextPage());
  }

  @Test
  void decode_garbage_alwaysInvalidTokenException() {
    PageTokenCodec codec = codecA();
    String valid = codec.encode(state(1, 2, 3));
    String[] fixed = {
      "",
      " ",
      "A",
      "AA",
      "AAA",
      "AAAA",
      "====",
      "!!!!",
      "not a token",
      "a+b/c",
      "%00",
      "\u00e9\u00e8",
      "\ud83d\ude00",
      valid + "A",
      valid + "AA",
      valid + "=",
      valid.substring(1),
      valid.substring(0, valid.length() - 1),
      valid.substring(0, 24),
      " " + valid,
      valid + "\n",
      valid.replace('-', '+').replace('_', '/') + "*"
    };
    for (String g : fixed) {
      assertThrows(
          InvalidTokenException.class, () -> codec.decode(g, ISSUED), "accepted '" + g + "'");
    }
    Random rnd = new Random(5);
    for (int c = 0; c < 3000; c++) {
      String g;
      switch (c % 3) {
        case 0 -> { // random characters, some outside base64 and outside Latin-1
          StringBuilder sb = new StringBuilder();
          int len = rnd.nextInt(200);
          for (int i = 0; i < len; i++) {
            sb.append(
                (char)
                    (rnd.nextBoolean() ? ALPHABET.charAt(rnd.nextInt(64)) : rnd.nextInt(0x3000)));
          }
          g = sb.toString();
        }
        case 1 -> { // well-formed base64 of random bytes
          byte[] b = new byte[rnd.nextInt(200)];
          rnd.nextBytes(b);
          g = encoder().encodeToString(b);
        }
        default -> { // a plausible header (format 1, known key 1) with a random count and random
          // body
          int count = rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(4);
          int bodyLongs = rnd.nextInt(4);
          ByteBuffer buf = ByteBuffer.allocate(18 + 8 * bodyLongs + 32);
          buf.put((byte) 1).put((byte) 1).putLong(ISSUED).putInt(1).putInt(count);
          byte[] rest = new byte[buf.remaining()];
          rnd.nextBytes(rest);
          buf.put(rest);
          g = encoder().encodeToString(buf.array());
        }
      }
      final String garbage = g;
      assertThrows(
          InvalidTokenException.class,
          () -> codec.decode(garbage, ISSUED),
          () -> "accepted garbage " + garbage);
    }
  }

  @Test
  void decode_countAboveMaxServedWithMatchingLength_rejected() {
    int count = PageTokenCodec.MAX_SERVED + 1;
    ByteBuffer buf = ByteBuffer.allocate(18 + 8 * count + 32);
    buf.put((byte) 1).put((byte) 1).putLong(ISSUED).putInt(1).putInt(count);
    String token = encoder().encodeToString(buf.array());
    InvalidTokenException e =
        assertThrows(InvalidTokenException.class, () -> codecA().decode(token, ISSUED));
    assertTrue(e.getMessage().contains("length"), e.getMessage());
  }

  @Test
  void encode_moreThanMaxServed_keepsTheNewest() throws Exception {
    int n = PageTokenCodec.MAX_SERVED + 500;
    long[] served = new long[n];
    for (int i = 0; i < n; i++) {
      served[i] = 100_000L + i; // oldest first
    }
    PageTokenCodec codec = codecA();
    long[] back = codec.decode(codec.encode(state(served)), ISSUED).servedIds();
    assertEquals(PageTokenCodec.MAX_SERVED, back.length);
    assertEquals(100_500L, back[0]);
    assertEquals(100_000L + n - 1, back[back.length - 1]);
    for (int i = 1; i < back.length; i++) {
      assertEquals(back[i - 1] + 1, back[i]);
    }
  }

  @Test
  void constructor_badKeys_throw() {
    assertThrows(
        IllegalArgumentException.class, () -> new PageTokenCodec(Map.of(1, OLD_KEY), 2, TTL));
    assertThrows(
        IllegalArgumentException.class, () -> new PageTokenCodec(Map.of(256, OLD_KEY), 256, TTL));
    assertThrows(
        IllegalArgumentException.class, () -> new PageTokenCodec(Map.of(-1, OLD_KEY), -1, TTL));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PageTokenCodec(Map.of(1, "short".getBytes(StandardCharsets.UTF_8)), 1, TTL));
  }

  @Test
  void encode_keyId255_roundTrips() throws Exception {
    PageTokenCodec codec = new PageTokenCodec(Map.of(255, NEW_KEY), 255, TTL);
    assertEquals(3, codec.decode(codec.encode(state(4)), ISSUED).nextPage());
  }
}
