package io.mamori.console.web;

import io.mamori.core.network.Cidr;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;

/**
 * The client address of a console request for audit entries of pages outside this package: the address the
 * access-rules filter resolved for the request (trusted proxies' {@code X-Forwarded-For} applied), else the
 * socket peer.
 */
public final class RequestSource {

    private RequestSource() {
    }

    public static String of(HttpServletRequest request) {
        return request.getAttribute(ClientAddress.ATTRIBUTE) instanceof InetAddress address
                ? Cidr.format(address) : request.getRemoteAddr();
    }
}
