package dev.notifier.autoconfigure.actuate;

import dev.notifier.autoconfigure.NotifierAutoConfiguration;
import dev.notifier.core.NotifierEngine;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link NotifierEndpoint}, when Actuator is present and the endpoint is available.
 */
@AutoConfiguration(after = NotifierAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(NotifierEngine.class)
@ConditionalOnAvailableEndpoint(NotifierEndpoint.class)
public final class NotifierEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NotifierEndpoint notifierEndpoint(NotifierEngine engine) {
		return new NotifierEndpoint(engine);
	}

}
