package io.rankingcluster.core.snapshot;

import java.io.IOException;

/**
 * A snapshot that cannot be written or must not be served; the message names the file and the
 * problem (for example "items.bin: checksum mismatch"). It is an {@link IOException} so that
 * callers that only care whether loading worked catch one type, while callers that must tell
 * corruption from an I/O failure (refuse the version, keep serving the old one) still can.
 */
public class SnapshotException extends IOException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
