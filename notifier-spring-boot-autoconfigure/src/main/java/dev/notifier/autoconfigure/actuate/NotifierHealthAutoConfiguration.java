package dev.notifier.autoconfigure.actuate;

import dev.notifier.autoconfigure.NotifierAutoConfiguration;
import dev.notifier.core.NotifierEngine;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code notifier} health indicator; {@code management.health.notifier.enabled=false} turns
 * it off.
 */
@AutoConfiguration(after = NotifierAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(NotifierEngine.class)
@ConditionalOnEnabledHealthIndicator("notifier")
public final class NotifierHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "notifierHealthIndicator")
	NotifierHealthIndicator notifierHealthIndicator(NotifierEngine engine) {
		return new NotifierHealthIndicator(engine);
	}

}
