package io.rankingcluster.common.server;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, made at test time (nothing secret is committed): a CA, a server
 * certificate for 127.0.0.1 / localhost / ranking.internal, and a client certificate, all signed by
 * the CA, as PEM files (keys in PKCS#8, which Netty reads).
 */
public final class TestCerts {
  public final Path ca;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;

  /** A second CA that signed nothing here: for "untrusted" cases. */
  public final Path otherCa;

  private TestCerts(Path dir) {
    ca = dir.resolve("ca.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.pem");
    clientKey = dir.resolve("client.key");
    otherCa = dir.resolve("other-ca.pem");
  }

  public static TestCerts create(Path dir) throws IOException, GeneralSecurityException {
    TestCerts c = new TestCerts(dir);
    KeyPair caKeys = keys();
    X509Certificate caCert =
        sign("CN=ranking test CA", caKeys, "CN=ranking test CA", caKeys.getPrivate(), true, null);
    KeyPair serverKeys = keys();
    GeneralNames serverNames =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.dNSName, "ranking.internal")
            });
    X509Certificate server =
        sign(
            "CN=ranking.internal",
            serverKeys,
            "CN=ranking test CA",
            caKeys.getPrivate(),
            false,
            serverNames);
    KeyPair clientKeys = keys();
    X509Certificate client =
        sign(
            "CN=mixer-service", clientKeys, "CN=ranking test CA", caKeys.getPrivate(), false, null);
    KeyPair otherKeys = keys();
    X509Certificate other =
        sign("CN=some other CA", otherKeys, "CN=some other CA", otherKeys.getPrivate(), true, null);
    pem(c.ca, "CERTIFICATE", caCert.getEncoded());
    pem(c.serverCert, "CERTIFICATE", server.getEncoded());
    pem(c.serverKey, "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
    pem(c.clientCert, "CERTIFICATE", client.getEncoded());
    pem(c.clientKey, "PRIVATE KEY", clientKeys.getPrivate().getEncoded());
    pem(c.otherCa, "CERTIFICATE", other.getEncoded());
    return c;
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(
      String subject,
      KeyPair subjectKeys,
      String issuer,
      PrivateKey issuerKey,
      boolean ca,
      GeneralNames names)
      throws GeneralSecurityException {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name(issuer),
              BigInteger.valueOf(now.toEpochMilli())
                  .add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              new X500Name(subject),
              subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      }
      if (names != null) {
        b.addExtension(Extension.subjectAlternativeName, false, names);
      }
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void pem(Path file, String type, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der);
    Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
  }
}
