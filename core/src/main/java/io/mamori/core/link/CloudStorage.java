package io.mamori.core.link;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Cloud object storage that serves a bucket's files as they are, under the provider's name: Google Cloud Storage and
 * Firebase Storage, Amazon S3 (every region, path and virtual-host style, website endpoints), Azure Blob Storage,
 * Cloudflare R2, DigitalOcean Spaces, Backblaze B2, Wasabi, Oracle and Alibaba Cloud object storage, and the IPFS
 * gateways. Anyone can put a file there; phishing kits put their sign-in pages there to borrow the provider's
 * reputation (an HTML file in a bucket, often with the reader's address after {@code #}), where a company publishes
 * its own pages under its own domain.
 *
 * <p>Hand-written: the providers' host names are documented per provider (S3 alone has a form per region and
 * addressing style), and no library lists them.
 */
final class CloudStorage {

    /** Hosts under which every name is a bucket's or a file's (bucket.r2.dev, account.blob.core.windows.net). */
    private static final List<String> DOMAINS = List.of("blob.core.windows.net", "web.core.windows.net", "r2.dev",
            "r2.cloudflarestorage.com", "digitaloceanspaces.com", "backblazeb2.com", "wasabisys.com",
            "storage.googleapis.com", "ipfs.dweb.link", "ipfs.w3s.link", "ipfs.nftstorage.link");
    /** Hosts whose paths name buckets or content ({@code storage.googleapis.com/bucket/page.html}). */
    private static final List<String> PATH_HOSTS = List.of("storage.googleapis.com", "firebasestorage.googleapis.com",
            "storage.cloud.google.com", "ipfs.io", "dweb.link", "cloudflare-ipfs.com", "gateway.pinata.cloud");
    /**
     * Amazon S3: {@code s3.amazonaws.com}, {@code s3.us-east-2.amazonaws.com}, {@code s3-eu-west-1.amazonaws.com},
     * {@code s3.dualstack.…}, {@code s3-website-us-east-1…} and {@code s3-website.…}, each also below a bucket's name.
     */
    private static final Pattern S3 = Pattern.compile(
            "(?:[a-z0-9.-]+\\.)?s3(?:-website)?(?:[.-](?:dualstack\\.)?[a-z0-9-]+)?\\.amazonaws\\.com(?:\\.cn)?");
    /** Oracle ({@code objectstorage.us-ashburn-1.oraclecloud.com}) and Alibaba ({@code b.oss-cn-hangzhou.aliyuncs.com}). */
    private static final Pattern OTHERS = Pattern.compile(
            "objectstorage\\.[a-z0-9-]+\\.oraclecloud\\.com|(?:[a-z0-9.-]+\\.)?oss-[a-z0-9-]+\\.aliyuncs\\.com");
    /** The file name of a web page: what a browser shows as a page, scripts and forms included (SVG too). */
    private static final Pattern PAGE = Pattern.compile("[^/]*\\.(?:html?|xhtml|shtml|svg)");

    private CloudStorage() {
    }

    /** Whether {@code asciiHost} (lower-case ASCII) is a cloud storage host. */
    static boolean isStorage(String asciiHost) {
        if (PATH_HOSTS.contains(asciiHost) || S3.matcher(asciiHost).matches() || OTHERS.matcher(asciiHost).matches()) {
            return true;
        }
        for (String domain : DOMAINS) {
            if (asciiHost.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The file name of the web page that {@code url} opens in cloud storage ({@code index.html}), or empty when its
     * host is no storage host or its path names no page (a PDF, a picture, a folder).
     *
     * @param asciiHost the URL's host, lower-case ASCII
     * @param url       the URL as cleaned for examination (scheme, host, path, then query or fragment), or {@code null}
     */
    static Optional<String> page(String asciiHost, String url) {
        if (url == null || !isStorage(asciiHost)) {
            return Optional.empty();
        }
        String path = LinkAnalyzer.path(url);
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return PAGE.matcher(name).matches() ? Optional.of(name.length() > 60 ? name.substring(0, 60) + "…" : name)
                : Optional.empty();
    }
}
