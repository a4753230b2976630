package dev.notifier.autoconfigure;

import java.util.concurrent.ThreadFactory;

import dev.notifier.autoconfigure.security.OAuth2TokenExpiry;
import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.MessageEncoder;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.NotifierEngine;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.SessionExpiry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Auto-configuration of the {@link NotifierEngine}, the {@link dev.notifier.core.GroupNotifier} applications inject,
 * with the application's {@link NotifierListener} and {@link GroupWorkerFactory} beans, the {@link NotifierCluster}
 * bean if there is one (notifier-redis declares it with {@code notifier.cluster.mode=redis}), and the
 * {@link SessionExpiry} bean if there is one (here, {@link OAuth2TokenExpiry} when Spring Security's OAuth 2.0 core is
 * on the classpath), customized by every {@link NotifierEngineBuilderCustomizer} bean.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnBooleanProperty(name = "notifier.enabled", matchIfMissing = true)
@EnableConfigurationProperties(NotifierProperties.class)
public final class NotifierAutoConfiguration {

	private static final String WORKER_THREADS = "notifier-worker";

	/**
	 * Backs off for a {@link NotifierEngine} of the application's own, not for any {@code GroupNotifier}: the
	 * WebSocket endpoint, the lifecycle and the Actuator support need the engine itself, and a {@code GroupNotifier}
	 * an application declares is typically a wrapper around this engine (made {@code @Primary} to be the one
	 * injected). To replace the engine, declare a {@code NotifierEngine}, built with {@link NotifierEngine#builder}.
	 */
	@Bean
	@ConditionalOnMissingBean
	NotifierEngine notifierEngine(NotifierProperties properties, ObjectProvider<MessageEncoder> encoder,
			ObjectProvider<NotifierListener> listeners, ObjectProvider<GroupWorkerFactory> workerFactories,
			ObjectProvider<NotifierCluster> cluster, ObjectProvider<SessionExpiry> sessionExpiry,
			ObjectProvider<GroupAuthorizer> authorizer, ObjectProvider<NotifierEngineBuilderCustomizer> customizers,
			Environment environment) {
		ClusterMode.check(environment, cluster.getIfAvailable());
		ThreadFactory blockingThreads = Threading.VIRTUAL.isActive(environment)
				? new VirtualThreadTaskExecutor(WORKER_THREADS + "-").getVirtualThreadFactory()
				: daemonThreads(WORKER_THREADS);
		NotifierEngine.Builder builder = NotifierEngine.builder(NotifierOptionsMapper.toOptions(properties))
			.encoder(encoder.getIfAvailable(() -> MessageEncoder.NONE))
			.listeners(() -> listeners.orderedStream().toList())
			.workers(() -> workerFactories.orderedStream().toList(),
					NotifierOptionsMapper.toWorkerOptions(properties.getWorkers(), blockingThreads))
			.history(NotifierOptionsMapper.toHistoryOptions(properties.getHistory()));
		NotifierOptionsMapper.presence(builder, properties);
		NotifierOptionsMapper.reauthorization(builder, properties, authorizer::getObject);
		sessionExpiry.ifAvailable(builder::sessionExpiry);
		cluster.ifAvailable(builder::cluster);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	/** Daemon platform threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
	private static ThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory(prefix + "-");
		threads.setDaemon(true);
		return threads;
	}

	@Bean
	@ConditionalOnMissingBean
	NotifierLifecycle notifierLifecycle(NotifierEngine engine, NotifierProperties properties) {
		return new NotifierLifecycle(engine, properties.getShutdownTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	GroupAuthorizer groupAuthorizer() {
		return GroupAuthorizer.ALLOW_ALL;
	}

	/** Sessions opened with an OAuth 2.0 token close when it expires, if Spring Security's OAuth 2.0 core is there. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.security.oauth2.core.AbstractOAuth2Token")
	@ConditionalOnBooleanProperty(name = "notifier.security.close-on-token-expiry", matchIfMissing = true)
	static class TokenExpiryConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SessionExpiry notifierSessionExpiry() {
			return new OAuth2TokenExpiry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JsonMapper.class)
	static class JacksonEncoderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MessageEncoder notifierMessageEncoder(ObjectProvider<JsonMapper> jsonMapper) {
			return new JsonMessageEncoder(jsonMapper.getIfAvailable(JsonMapper::new));
		}

	}

}
