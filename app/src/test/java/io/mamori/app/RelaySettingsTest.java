package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.gateway.delivery.DeliveryRoutes;
import io.mamori.gateway.delivery.TlsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How mail leaves: TLS to a configured next hop (Microsoft 365, Google Workspace, a smart host) is verified unless the
 * administrator says otherwise; direct MX delivery is opportunistic, as the internet's MX hosts are; a domain of
 * {@code require-tls-domains} is verified on either way. The delivery itself: SmtpClientTest, GatewayEndToEndTest.
 */
class RelaySettingsTest {

    private static MamoriProperties.Relay relay(String inboundHop, String inboundTls, String outboundHop, String outboundTls,
            List<String> requireTls) {
        return new MamoriProperties.Relay(new MamoriProperties.Route(inboundHop, inboundTls, null),
                new MamoriProperties.Route(outboundHop, outboundTls, null), requireTls, null);
    }

    @Test
    void aNextHopIsReachedOverVerifiedTlsByDefaultAndMxDeliveryOpportunistically() {
        DeliveryRoutes routes = GatewayConfiguration.routes(relay("mx.protection.outlook.example:25", null, "", null,
                List.of("bank.example")));

        assertThat(routes.forDirection(Direction.INBOUND).tlsFor("example.co.jp")).isEqualTo(TlsPolicy.REQUIRED);
        assertThat(routes.forDirection(Direction.OUTBOUND).tlsFor("partner.example")).isEqualTo(TlsPolicy.OPPORTUNISTIC);
        assertThat(routes.forDirection(Direction.OUTBOUND).tlsFor("bank.example")).isEqualTo(TlsPolicy.REQUIRED);
    }

    @Test
    void theAdministratorMayRelaxOrTightenEachRouteAndAnUnknownValueIsRefusedByName() {
        DeliveryRoutes routes = GatewayConfiguration.routes(relay("next.example:25", "opportunistic", "", "REQUIRED", List.of()));
        assertThat(routes.forDirection(Direction.INBOUND).tlsFor("example.co.jp")).isEqualTo(TlsPolicy.OPPORTUNISTIC);
        assertThat(routes.forDirection(Direction.OUTBOUND).tlsFor("partner.example")).isEqualTo(TlsPolicy.REQUIRED);

        assertThatThrownBy(() -> relay("next.example:25", "verify", "", null, List.of()))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("mamori.relay.inbound.tls='verify': must be required or opportunistic");
    }

    @Test
    void recipientVerificationNeedsAnInboundNextHopAndIsRefusedOutbound() {
        MamoriProperties.Route inbound = new MamoriProperties.Route("next.example:25", null, true);
        MamoriProperties.Route none = new MamoriProperties.Route(null, null, null);
        assertThat(new MamoriProperties.Relay(inbound, none, List.of(), null).inbound().verifiesRecipients()).isTrue();
        assertThat(new MamoriProperties.Relay(none, none, List.of(), null).inbound().verifiesRecipients()).isFalse();

        assertThatThrownBy(() -> new MamoriProperties.Relay(new MamoriProperties.Route("", null, true), none, List.of(), null))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("mamori.relay.inbound.verify-recipients='true': needs mamori.relay.inbound.next-hop: it is the next"
                        + " hop that is asked");
        assertThatThrownBy(() -> new MamoriProperties.Relay(inbound, new MamoriProperties.Route(null, null, true), List.of(),
                null)).isInstanceOf(InvalidSetting.class)
                .hasMessage("mamori.relay.outbound.verify-recipients='true': applies to inbound mail only");
    }

    @Test
    void aTrustStoreMustHoldPemCertificates(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "no certificates here\n");
        assertThatThrownBy(() -> GatewayConfiguration.pemTrustStore(empty)).isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("mamori.relay.trust-store=");
        assertThatThrownBy(() -> GatewayConfiguration.pemTrustStore(dir.resolve("missing.pem")))
                .isInstanceOf(InvalidSetting.class).hasMessageContaining("cannot read the certificates");

        io.mamori.gateway.testing.TestCertificates.Issued issued =
                io.mamori.gateway.testing.TestCertificates.selfSigned("smarthost.example");
        Path pem = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(issued.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        java.security.KeyStore store = GatewayConfiguration.pemTrustStore(pem);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.getCertificate(store.aliases().nextElement())).isEqualTo(issued.certificate());
    }
}
