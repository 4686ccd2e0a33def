package io.mamori.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The gateway process: SMTP listeners, delivery workers, HTTP (health, metrics, REST) in one JVM. */
@SpringBootApplication(scanBasePackages = {"io.mamori.app", "io.mamori.console"})
@EnableConfigurationProperties(MamoriProperties.class)
public class MamoriApplication {
}
