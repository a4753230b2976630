package dev.notifier.autoconfigure.web;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The smallest application the notifier starter serves: auto-configuration only. Each test class adds its own beans
 * with {@code @Import} and its own settings with {@code @SpringBootTest(properties = ...)}.
 *
 * <p>It lives in a package of its own so that {@code @SpringBootTest} classes elsewhere never find it by accident.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class NotifierTestApplication {

}
