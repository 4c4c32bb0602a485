package io.rankingcluster.common.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which version a pinned request gets, before, during and after the grace period of a swap. */
class VersionedTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final Versioned<String> v =
      new Versioned<>("v1", "state-1", Duration.ofNanos(100), now::get);

  @Test
  void forVersion_emptyOrCurrent_answersCurrentWithoutSkew() {
    assertEquals("state-1", v.forVersion("").state());
    assertEquals("state-1", v.forVersion(null).state());
    assertEquals("state-1", v.forVersion("v1").state());
    assertFalse(v.forVersion("").isSkewFor(""));
    assertFalse(v.forVersion("v1").isSkewFor("v1"));
  }

  @Test
  void forVersion_unknownVersion_answersCurrentMarkedSkew() {
    Versioned.Entry<String> e = v.forVersion("v0");
    assertEquals("v1", e.version());
    assertTrue(e.isSkewFor("v0"));
  }

  @Test
  void swap_previousServesPinnedRequestsUntilGraceEnds_thenCurrentWithSkew() {
    Versioned.Entry<String> old = v.swap("v2", "state-2");
    assertEquals("v1", old.version());
    assertEquals("v2", v.current().version());
    assertSame(old, v.forVersion("v1"), "within grace the pinned version still answers");
    assertFalse(v.forVersion("v1").isSkewFor("v1"));
    assertNull(v.dropPrevious(false), "not dropped within grace");

    now.addAndGet(100);
    assertEquals("v2", v.forVersion("v1").version(), "after grace: the current version answers");
    assertTrue(v.forVersion("v1").isSkewFor("v1"));
    assertNull(v.previous());
    assertEquals("v1", v.dropPrevious(false));
  }

  @Test
  void swap_twiceWithinGrace_keepsOnlyTheLastReplacedVersion() {
    v.swap("v2", "state-2");
    v.swap("v3", "state-3");
    assertEquals("v2", v.forVersion("v2").version());
    assertTrue(v.forVersion("v1").isSkewFor("v1"), "at most two versions are held");
  }

  @Test
  void swap_zeroGrace_keepsNoPreviousVersion() {
    Versioned<String> noGrace = new Versioned<>("v1", "a", Duration.ZERO, now::get);
    noGrace.swap("v2", "b");
    assertNull(noGrace.previous());
    assertTrue(noGrace.forVersion("v1").isSkewFor("v1"));
  }
}
