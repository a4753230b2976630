package dev.notifier.autoconfigure.web;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The smallest application the notifier starter serves: auto-configuration only. Each test class adds its own beans
 * with {@code @Import} and its own settings with {@code @SpringBootTest(properties = ...)}.
 *
 * <p>Spring Security is on the test class path for {@link SecuredTestApplication}; its auto-configuration is left out
 * here, where it would ask every handshake for a password.
 *
 * <p>It lives in a package of its own so that {@code @SpringBootTest} classes elsewhere never find it by accident.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
public class NotifierTestApplication {

}
