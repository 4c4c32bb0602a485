package io.rankingcluster.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimeTest {
  @TempDir Path dir;

  /** A directory that looks like a JDK home of {@code feature} (release file, executable java). */
  private Path jdk(String name, int feature) throws IOException {
    Path home = dir.resolve("jvm").resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(
        home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + feature + ".0.1\"\n");
    Path java = home.resolve("bin").resolve("java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  @Test
  void auto_picksTheNewestJdkFromTwentyOne_elseTheLaunchersOwn() throws IOException {
    jdk("java-17", 17);
    Path j21 = jdk("jdk-21", 21);
    Path j25 = jdk("temurin-25", 25);
    List<Path> roots = List.of(dir.resolve("jvm"));
    JavaRuntime r = JavaRuntime.choose("auto", Map.of(), roots);
    assertEquals(j25, r.home());
    assertEquals(25, r.feature());
    assertTrue(r.vectorModule() && r.aotCache());

    // An explicit variable wins a tie with the scan.
    JavaRuntime v =
        JavaRuntime.choose("auto", Map.of("RANKING_JAVA_HOME", j21.toString()), List.of());
    assertEquals(j21, v.home());
    assertEquals("$RANKING_JAVA_HOME", v.origin());

    Path only17 = dir.resolve("only17");
    Files.createDirectories(only17);
    Files.move(dir.resolve("jvm").resolve("java-17"), only17.resolve("java-17"));
    assertEquals(
        JavaRuntime.current().home(),
        JavaRuntime.choose("auto", Map.of(), List.of(only17)).home(),
        "below 21 the launcher's own JDK runs the services");
  }

  @Test
  void explicit_aHomeOrItsJava_acceptedFromSeventeen_elseAnErrorNamingIt() throws IOException {
    Path j17 = jdk("java-17", 17);
    assertEquals(j17, JavaRuntime.choose(j17.toString(), Map.of(), List.of()).home());
    assertEquals(
        j17, JavaRuntime.choose(j17.resolve("bin/java").toString(), Map.of(), List.of()).home());
    Path j11 = jdk("java-11", 11);
    IllegalArgumentException old =
        assertThrows(
            IllegalArgumentException.class,
            () -> JavaRuntime.choose(j11.toString(), Map.of(), List.of()));
    assertTrue(old.getMessage().contains("17 is the floor"), old.getMessage());
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> JavaRuntime.choose("/no/such/jdk", Map.of(), List.of()));
    assertTrue(none.getMessage().contains("/no/such/jdk"), none.getMessage());
  }

  @Test
  void flags_byFeature_cdsFrom13_vectorModuleFrom21_aotCacheFrom25_writtenThenMapped()
      throws IOException {
    Path jar = Files.writeString(dir.resolve("svc.jar"), "jar");
    Path aot = dir.resolve("aot");
    assertEquals(List.of(), new JavaRuntime(jdk("o", 11), 11, "t").flags("svc", jar, aot));
    JavaRuntime r17 = new JavaRuntime(jdk("a", 17), 17, "t");
    List<String> cds = r17.flags("svc", jar, aot);
    assertEquals(1, cds.size(), cds.toString());
    assertTrue(cds.get(0).startsWith("-XX:ArchiveClassesAtExit="), cds.toString());
    Files.writeString(Path.of(cds.get(0).substring("-XX:ArchiveClassesAtExit=".length())), "jsa");
    assertTrue(r17.flags("svc", jar, aot).get(0).startsWith("-XX:SharedArchiveFile="));
    List<String> r21 = new JavaRuntime(jdk("b", 21), 21, "t").flags("svc", jar, aot);
    assertEquals("--add-modules=jdk.incubator.vector", r21.get(0));
    assertTrue(
        r21.get(1).startsWith("-XX:ArchiveClassesAtExit=") && r21.get(1).endsWith("-jdk21.jsa"),
        "an archive of its own per JDK: " + r21);
    JavaRuntime r25 = new JavaRuntime(jdk("c", 25), 25, "t");
    List<String> first = r25.flags("svc", jar, aot);
    assertTrue(first.get(1).startsWith("-XX:AOTCacheOutput="), first.toString());
    Files.writeString(Path.of(first.get(1).substring("-XX:AOTCacheOutput=".length())), "cache");
    List<String> later = r25.flags("svc", jar, aot);
    assertTrue(later.get(1).startsWith("-XX:AOTCache="), later.toString());

    // A rebuilt jar (other size) gets a cache of its own instead of a stale one.
    Files.writeString(jar, "a rebuilt jar");
    assertTrue(r25.flags("svc", jar, aot).get(1).startsWith("-XX:AOTCacheOutput="));
  }
}
