package io.rankingcluster.core.snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates a snapshot version folder, or the version a root's CURRENT names, exactly as a service
 * would before loading it, and sums it up in a few lines; the entry point for a CLI ({@code
 * validate PATH}).
 */
public final class SnapshotValidator {
  private SnapshotValidator() {}

  /** What a valid snapshot holds; {@link #toString()} is the short human report. */
  public record Report(Path dir, Manifest manifest, long totalBytes, List<String> derivedProblems) {
    @Override
    public String toString() {
      Manifest.Counts c = manifest.counts();
      StringBuilder sb = new StringBuilder();
      sb.append("snapshot ").append(manifest.version()).append(" (").append(dir).append(")\n");
      sb.append("  created ")
          .append(manifest.createdAt())
          .append(", format ")
          .append(manifest.formatVersion())
          .append('\n');
      sb.append("  items ")
          .append(c.items())
          .append(", users ")
          .append(c.users())
          .append(", item embedding dim ")
          .append(c.itemEmbeddingDim())
          .append(", user vector dim ")
          .append(c.userVectorDim())
          .append(", i2i edges ")
          .append(c.i2iEdges())
          .append('\n');
      sb.append("  files OK: ")
          .append(manifest.files().size())
          .append(" (")
          .append(totalBytes)
          .append(" bytes, sha256 verified)\n");
      if (!manifest.modelVersions().isEmpty()) {
        sb.append("  models ").append(manifest.modelVersions()).append('\n');
      }
      int derivedOk = manifest.derived().size() - derivedProblems.size();
      sb.append("  derived: ")
          .append(derivedOk)
          .append(" of ")
          .append(manifest.derived().size())
          .append(" usable");
      for (String p : derivedProblems) {
        sb.append("\n    ").append(p).append(" (will be rebuilt)");
      }
      return sb.toString();
    }
  }

  /**
   * Validates {@code dirOrRoot}: a version folder (it has a manifest.json) or a snapshot root (it
   * has a CURRENT). Throws naming the file and problem; derived files that are absent or damaged
   * are reported, not fatal, since they are rebuilt from the core files.
   */
  public static Report validate(Path dirOrRoot) throws SnapshotException {
    Path dir = dirOrRoot;
    if (!Files.exists(dirOrRoot.resolve(Manifest.FILE_NAME))
        && Files.exists(dirOrRoot.resolve(Layout.CURRENT))) {
      dir = dirOrRoot.resolve(SnapshotReader.readCurrentName(dirOrRoot));
    }
    SnapshotReader.read(dir);
    // Read again after the full check: cheap, and the report then describes what was verified.
    Manifest m = SnapshotReader.readManifest(dir);
    long total = 0;
    for (Manifest.FileEntry f : m.files()) {
      total += f.bytes();
    }
    List<String> derivedProblems = new ArrayList<>();
    for (Manifest.FileEntry f : m.derived()) {
      try {
        Checksums.verify(dir, f);
      } catch (SnapshotException e) {
        derivedProblems.add(e.getMessage());
      }
    }
    return new Report(dir, m, total, derivedProblems);
  }

  /** {@code validate PATH}: prints the report and exits 0, or prints the reason and exits 1. */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: validate SNAPSHOT_DIR_OR_ROOT");
      System.exit(2);
    }
    try {
      System.out.println(validate(Path.of(args[0])));
    } catch (SnapshotException e) {
      System.err.println("invalid snapshot: " + e.getMessage());
      System.exit(1);
    }
  }
}
