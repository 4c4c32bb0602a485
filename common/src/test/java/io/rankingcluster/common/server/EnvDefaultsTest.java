package io.rankingcluster.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EnvDefaultsTest {
  @Test
  void variableFor_longOption_isPrefixedUpperSnakeCase() {
    assertEquals(
        "RECALL_MAX_INBOUND_BYTES", EnvDefaults.variableFor("RECALL", "--max-inbound-bytes"));
    assertEquals("MIXER_PORT", EnvDefaults.variableFor("MIXER", "--port"));
  }

  @Test
  void validate_outOfRangeValue_namesTheOption() {
    ServerOptions options = ServiceMain.defaults(new ServerOptions());
    options.drainSeconds = -1;
    Validation.ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Validation.ConfigException.class, options::validate);
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("--drain-seconds"), e.getMessage());
  }
}
