package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.message.Direction;
import io.mamori.gateway.delivery.DeliveryRoutes;
import io.mamori.gateway.delivery.MxAddressPolicy;
import io.mamori.gateway.delivery.TlsPolicy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
                new MamoriProperties.Route(outboundHop, outboundTls, null), requireTls, null, false);
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
        assertThat(new MamoriProperties.Relay(inbound, none, List.of(), null, false).inbound().verifiesRecipients()).isTrue();
        assertThat(new MamoriProperties.Relay(none, none, List.of(), null, false).inbound().verifiesRecipients()).isFalse();

        assertThatThrownBy(() -> new MamoriProperties.Relay(new MamoriProperties.Route("", null, true), none, List.of(), null,
                false))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage("mamori.relay.inbound.verify-recipients='true': needs mamori.relay.inbound.next-hop: it is the next"
                        + " hop that is asked");
        assertThatThrownBy(() -> new MamoriProperties.Relay(inbound, new MamoriProperties.Route(null, null, true), List.of(),
                null, false)).isInstanceOf(InvalidSetting.class)
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

    @Test
    void directMxDeliveryGoesToPrivateAddressesOnlyWhenAllowedAndNeverToTheListenersOwn() throws Exception {
        MxAddressPolicy shipped = GatewayConfiguration.mxAddressPolicy(bound(Map.of("mamori.smtp.inbound.bind", "192.0.2.25")));
        assertThat(shipped.refusal(InetAddress.getByName("10.0.0.5"))).contains("private");
        assertThat(shipped.refusal(InetAddress.getByName("192.0.2.25"))).contains("this gateway's own address");
        assertThat(shipped.refusal(InetAddress.getByName("192.0.2.26"))).isEmpty();
        assertThat(shipped.refusal(InetAddress.getByName("127.0.0.1"))).contains("loopback");
        // the outbound listener is bound to 0.0.0.0 (the default): every interface's address is the gateway's own
        java.util.Optional<InetAddress> interfaceAddress = java.net.NetworkInterface.networkInterfaces()
                .flatMap(java.net.NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        interfaceAddress.ifPresent(a -> assertThat(shipped.refusal(a)).contains("this gateway's own address"));

        MxAddressPolicy allowing = GatewayConfiguration.mxAddressPolicy(bound(Map.of("mamori.relay.mx-allow-private", "true")));
        assertThat(allowing.refusal(InetAddress.getByName("10.200.0.5"))).isEmpty();
        assertThat(allowing.refusal(InetAddress.getByName("fd12:3456:789a::5"))).isEmpty();
        assertThat(allowing.refusal(InetAddress.getByName("169.254.169.254"))).contains("link-local");
    }

    /** The shipped application.properties with {@code overrides}, bound as the gateway binds them at start. */
    private static MamoriProperties bound(Map<String, String> overrides) throws java.io.IOException {
        java.util.Properties shipped = new java.util.Properties();
        try (java.io.InputStream in = RelaySettingsTest.class.getResourceAsStream("/application.properties")) {
            shipped.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        Map<Object, Object> settings = new java.util.HashMap<>(shipped);
        settings.putAll(overrides);
        return new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(settings))
                .bind("mamori", MamoriProperties.class).get();
    }
}
