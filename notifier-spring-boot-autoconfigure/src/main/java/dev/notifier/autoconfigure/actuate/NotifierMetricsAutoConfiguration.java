package dev.notifier.autoconfigure.actuate;

import dev.notifier.autoconfigure.HandshakeRefusals;
import dev.notifier.autoconfigure.NotifierAutoConfiguration;
import dev.notifier.autoconfigure.NotifierWebSocketAutoConfiguration;
import dev.notifier.core.NotifierEngine;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the notifier's Micrometer meters; Spring Boot binds the {@link MeterBinder} to every registry.
 * Ordered after Spring Boot's metrics auto-configuration, as Boot's own binders are, so that the registries and their
 * customizers exist before the meters are bound.
 */
@AutoConfiguration(after = { NotifierAutoConfiguration.class, NotifierWebSocketAutoConfiguration.class },
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(NotifierEngine.class)
public final class NotifierMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NotifierMetrics notifierMetrics(NotifierEngine engine, ObjectProvider<HandshakeRefusals> refusals) {
		return new NotifierMetrics(engine, refusals.getIfAvailable(HandshakeRefusals::new));
	}

}
