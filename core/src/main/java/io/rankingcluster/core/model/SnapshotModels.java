package io.rankingcluster.core.model;

import io.rankingcluster.core.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The trained models a snapshot ships, by file name: "rank" is the stage's default model, "rank@b"
 * a variant that an experiment arm can select by its version. Absent ones are null.
 */
public final class SnapshotModels {
  private SnapshotModels() {}

  public static MultiTaskModel get(Snapshot snapshot, String name) {
    byte[] bytes = snapshot.models().get(name);
    return bytes == null ? null : MultiTaskModel.fromBytes(bytes, name);
  }

  /** The variants of a stage ("rank@..." files), default excluded. */
  public static List<MultiTaskModel> variants(Snapshot snapshot, String stage) {
    List<MultiTaskModel> out = new ArrayList<>();
    for (var e : snapshot.models().entrySet()) {
      if (e.getKey().startsWith(stage + "@")) {
        out.add(MultiTaskModel.fromBytes(e.getValue(), e.getKey()));
      }
    }
    return out;
  }
}
