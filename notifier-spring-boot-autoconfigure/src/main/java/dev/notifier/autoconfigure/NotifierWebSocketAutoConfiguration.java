package dev.notifier.autoconfigure;

import java.util.Map;

import dev.notifier.core.GroupAuthorizer;
import dev.notifier.core.NotifierEngine;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * Auto-configuration of the WebSocket endpoint: {@code <notifier.path>/<group>} joins a group of the
 * {@link NotifierEngine}, on the servlet stack (Tomcat or Jetty), the same groups as Server-Sent Events at
 * {@code <notifier.sse.path>/<group>}, and the browser client served at {@code /notifier.js} and
 * {@code /notifier.mjs}.
 */
@AutoConfiguration(after = NotifierAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ WebSocketHandler.class, HandlerMapping.class })
@ConditionalOnBean(NotifierEngine.class)
public final class NotifierWebSocketAutoConfiguration {

	/** After controllers ({@code 0}), as Spring's own WebSocket mappings are, so an application's handlers win. */
	private static final int MAPPING_ORDER = 1;

	private static final String CLIENT_SCRIPT = "/notifier.js";

	private static final String CLIENT_MODULE = "/notifier.mjs";

	private static final String CLIENT_LOCATION = "classpath:/dev/notifier/client/";

	@Bean
	@ConditionalOnMissingBean
	NotifierWebSocketHandler notifierWebSocketHandler(NotifierEngine engine, NotifierProperties properties,
			ObjectProvider<HttpSessionFollower> httpSessions) {
		return new NotifierWebSocketHandler(engine, properties.getOutbound().getSendTimeout(),
				httpSessions.getIfAvailable());
	}

	/** A servlet listener: Spring Boot registers it with the container, which tells it of every session's end. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "notifier.follow-http-session", matchIfMissing = true)
	HttpSessionFollower notifierHttpSessionFollower() {
		return new HttpSessionFollower();
	}

	@Bean
	@ConditionalOnMissingBean
	HandshakeRefusals notifierHandshakeRefusals() {
		return new HandshakeRefusals();
	}

	/**
	 * Shared by the WebSocket endpoint and the event streams: a user's or an address's connections count in both.
	 * Not a replacement point, so no back-off: the caps are set with {@code notifier.limits.*}, and the counts are
	 * part of the handshake, whose checks a {@link NotifierHandshakeCustomizer} adds to rather than replaces.
	 */
	@Bean
	ConnectionLimits notifierConnectionLimits(NotifierProperties properties) {
		return NotifierOptionsMapper.connectionLimits(properties);
	}

	/**
	 * What the {@link NotifierHandshakeCustomizer} beans made of the handshake, customized once for the WebSocket
	 * endpoint and the event streams alike.
	 */
	@Bean
	NotifierHandshake notifierHandshake(ObjectProvider<NotifierHandshakeCustomizer> customizers) {
		NotifierHandshake handshake = new NotifierHandshake();
		customizers.orderedStream().forEach((customizer) -> customizer.customize(handshake));
		return handshake;
	}

	/**
	 * The handshake: the notifier's checks first, then what the {@link NotifierHandshakeCustomizer} beans added, then
	 * the upgrade by their handshake handler (Spring's {@code DefaultHandshakeHandler} unless one replaced it).
	 * Replacing this bean, by its name, replaces the whole endpoint mapping, the notifier's checks included.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "notifierHandlerMapping")
	WebSocketHandlerMapping notifierHandlerMapping(NotifierWebSocketHandler handler, NotifierEngine engine,
			NotifierProperties properties, GroupAuthorizer authorizer, HandshakeRefusals refusals,
			ConnectionLimits limits, NotifierHandshake handshake) {
		WebSocketHttpRequestHandler requestHandler = new WebSocketHttpRequestHandler(handler,
				handshake.handshakeHandler());
		requestHandler.setHandshakeInterceptors(handshake.chain(NotifierHandshakeInterceptor
			.forPath(properties.getPath(), engine, properties, authorizer, refusals, limits)));
		WebSocketHandlerMapping mapping = new WebSocketHandlerMapping();
		mapping.setUrlMap(Map.of(properties.getPath(), requestHandler, properties.getPath() + "/**", requestHandler));
		mapping.setOrder(MAPPING_ORDER);
		return mapping;
	}

	/**
	 * The event streams, {@code GET <notifier.sse.path>/<group>}: a servlet of its own, asynchronous, after the same
	 * checks and interceptors as a WebSocket handshake. Replacing this bean, by its name, replaces the event streams.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = "notifier.sse.enabled", matchIfMissing = true)
	@ConditionalOnMissingBean(name = "notifierEventStreams")
	ServletRegistrationBean<NotifierEventStreamServlet> notifierEventStreams(NotifierEngine engine,
			NotifierProperties properties, GroupAuthorizer authorizer, HandshakeRefusals refusals,
			ConnectionLimits limits, NotifierHandshake handshake, ObjectProvider<HttpSessionFollower> httpSessions) {
		String path = NotifierOptionsMapper.ssePath(properties);
		NotifierEventStreamServlet servlet = new NotifierEventStreamServlet(engine, handshake.chain(
				NotifierHandshakeInterceptor.forEventStreams(path, engine, properties, authorizer, refusals, limits)),
				httpSessions.getIfAvailable());
		ServletRegistrationBean<NotifierEventStreamServlet> registration = new ServletRegistrationBean<>(servlet,
				path, path + "/*");
		registration.setName("notifierEventStreams");
		registration.setAsyncSupported(true);
		return registration;
	}

	/**
	 * Small inbound buffers for every Tomcat WebSocket session: the engine takes messages in parts, so Tomcat's
	 * default buffers would only cost memory on every idle session. An application that configures the container
	 * itself, with Spring's {@link ServletServerContainerFactoryBean}, keeps its own settings.
	 */
	@Bean
	@ConditionalOnClass(name = "org.apache.tomcat.websocket.server.WsSci")
	@ConditionalOnMissingBean(value = ServletServerContainerFactoryBean.class, name = "notifierTomcatInboundBuffers")
	TomcatInboundBuffers notifierTomcatInboundBuffers(NotifierProperties properties) {
		return new TomcatInboundBuffers(NotifierOptionsMapper.inboundBufferSize(properties));
	}

	/** Revalidated on every load ({@code no-cache}): a new release of the starter must reach browsers at once. */
	@Bean
	@ConditionalOnMissingBean(name = "notifierClientResources")
	@ConditionalOnBooleanProperty(name = "notifier.client.enabled", matchIfMissing = true)
	WebMvcConfigurer notifierClientResources() {
		return new WebMvcConfigurer() {

			@Override
			public void addResourceHandlers(ResourceHandlerRegistry registry) {
				registry.addResourceHandler(CLIENT_SCRIPT, CLIENT_MODULE)
					.addResourceLocations(CLIENT_LOCATION)
					.setCacheControl(CacheControl.noCache());
			}

		};
	}

}
