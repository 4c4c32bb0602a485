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
    Validation.ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Validation.ConfigException.class, () -> ServerConfig.parse("--drain-seconds=-1"));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("--drain-seconds"), e.getMessage());
  }
}
