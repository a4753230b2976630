package dev.notifier.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.NotifierEngine;
import jakarta.websocket.WebSocketContainer;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.ConfigurableWebApplicationContext;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

class NotifierWebSocketAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NotifierAutoConfiguration.class,
				NotifierWebSocketAutoConfiguration.class));

	@Test
	void runShouldMapTheHandlerUnderTheDefaultPath() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(NotifierWebSocketHandler.class);
			WebSocketHandlerMapping mapping = context.getBean("notifierHandlerMapping", WebSocketHandlerMapping.class);
			assertThat(mapping.getUrlMap()).containsOnlyKeys("/ws", "/ws/**");
			assertThat(mapping.getOrder()).isEqualTo(1);
		});
	}

	@Test
	void runWithCustomPathShouldMapTheHandlerThere() {
		this.contextRunner.withPropertyValues("notifier.path=/live/events")
			.run((context) -> assertThat(
					context.getBean("notifierHandlerMapping", SimpleUrlHandlerMapping.class).getUrlMap())
				.containsOnlyKeys("/live/events", "/live/events/**"));
	}

	@Test
	void runShouldServeTheGroupsAsEventStreamsUnderTheSsePath() {
		this.contextRunner.withPropertyValues("notifier.sse.path=/events").run((context) -> {
			ServletRegistrationBean<?> streams = context.getBean("notifierEventStreams", ServletRegistrationBean.class);
			assertThat(streams.getServlet()).isInstanceOf(NotifierEventStreamServlet.class);
			assertThat(streams.getUrlMappings()).containsExactlyInAnyOrder("/events", "/events/*");
			assertThat(streams.isAsyncSupported()).isTrue();
		});
	}

	@Test
	void runWhenEventStreamsDisabledShouldNotServeThem() {
		this.contextRunner.withPropertyValues("notifier.sse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("notifierEventStreams"));
	}

	@Test
	void eventStreamsWhenUserDefinesThemShouldBackOff() {
		this.contextRunner
			.withBean("notifierEventStreams", ServletRegistrationBean.class,
					() -> new ServletRegistrationBean<>(new jakarta.servlet.http.HttpServlet() {
					}, "/mine/*"))
			.run((context) -> assertThat(context.getBean("notifierEventStreams", ServletRegistrationBean.class)
				.getUrlMappings()).containsExactly("/mine/*"));
	}

	@Test
	void handshakeCustomizersShouldBeAppliedOnceForTheWebSocketEndpointAndTheEventStreams() {
		AtomicInteger customized = new AtomicInteger();
		this.contextRunner
			.withBean(NotifierHandshakeCustomizer.class, () -> (handshake) -> customized.incrementAndGet())
			.run((context) -> {
				assertThat(context).hasBean("notifierHandlerMapping").hasBean("notifierEventStreams");
				assertThat(customized).hasValue(1);
			});
	}

	@Test
	void runShouldServeTheBrowserClient() {
		this.contextRunner.run((context) -> assertThat(context).hasBean("notifierClientResources"));
	}

	@Test
	void runWhenClientDisabledShouldNotServeIt() {
		this.contextRunner.withPropertyValues("notifier.client.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean("notifierClientResources");
			assertThat(context).hasBean("notifierHandlerMapping");
		});
	}

	@Test
	void runWhenNotAWebApplicationShouldNotMapAnything() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(NotifierAutoConfiguration.class, NotifierWebSocketAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(dev.notifier.core.GroupNotifier.class);
				assertThat(context).doesNotHaveBean(NotifierWebSocketHandler.class);
				assertThat(context).doesNotHaveBean("notifierHandlerMapping");
			});
	}

	@Test
	void runShouldCloseSessionsWhenTheirHttpSessionEnds() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(HttpSessionFollower.class));
	}

	@Test
	void runWhenFollowHttpSessionIsOffShouldLeaveSessionsOpenWhenTheirHttpSessionEnds() {
		this.contextRunner.withPropertyValues("notifier.follow-http-session=false").run((context) -> {
			assertThat(context).doesNotHaveBean(HttpSessionFollower.class);
			assertThat(context).hasSingleBean(NotifierWebSocketHandler.class);
		});
	}

	@Test
	void httpSessionFollowerWhenUserDefinesOneShouldBackOff() {
		HttpSessionFollower own = new HttpSessionFollower();
		this.contextRunner.withBean("customFollower", HttpSessionFollower.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean("notifierHttpSessionFollower");
			assertThat(context).getBean(HttpSessionFollower.class).isSameAs(own);
			assertThat(context).hasSingleBean(NotifierWebSocketHandler.class);
		});
	}

	@Test
	void invalidConnectionLimitsShouldFailStartupNamingTheProperty() {
		for (String property : List.of("notifier.limits.max-connections-per-user",
				"notifier.limits.max-connections-per-address")) {
			this.contextRunner.withPropertyValues(property + "=0").run((context) -> {
				assertThat(context).as(property).hasFailed();
				assertThat(context.getStartupFailure()).as(property)
					.rootCause()
					.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
						assertThat(ex.getName()).isEqualTo(property);
						assertThat(ex.getReason()).isEqualTo("must be positive");
					});
			});
		}
	}

	@Test
	void runWhenDisabledShouldNotMapAnything() {
		this.contextRunner.withPropertyValues("notifier.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(NotifierWebSocketHandler.class);
			assertThat(context).doesNotHaveBean("notifierHandlerMapping");
		});
	}

	@Test
	void runWithoutSpringWebSocketShouldNotMapAnything() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(NotifierWebSocketHandler.class);
			assertThat(context).doesNotHaveBean("notifierHandlerMapping");
		});
	}

	@Test
	void handlerWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withUserConfiguration(CustomHandlerConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean("notifierWebSocketHandler");
			assertThat(context.getBean(NotifierWebSocketHandler.class)).isSameAs(context.getBean("customHandler"));
		});
	}

	@Test
	void handshakeRefusalsWhenUserDefinesThemShouldBackOffAndCountForTheMapping() {
		HandshakeRefusals own = new HandshakeRefusals();
		this.contextRunner.withBean("customRefusals", HandshakeRefusals.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean("notifierHandshakeRefusals");
			assertThat(context).getBean(HandshakeRefusals.class).isSameAs(own);
		});
	}

	@Test
	void clientResourcesWhenUserDefinesThemShouldBackOff() {
		WebMvcConfigurer own = new WebMvcConfigurer() {
		};
		this.contextRunner.withBean("notifierClientResources", WebMvcConfigurer.class, () -> own)
			.run((context) -> assertThat(context.getBean("notifierClientResources")).isSameAs(own));
	}

	@Test
	void mappingWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withBean("notifierHandlerMapping", SimpleUrlHandlerMapping.class, SimpleUrlHandlerMapping::new)
			.run((context) -> assertThat(context.getBean("notifierHandlerMapping"))
				.isNotInstanceOf(WebSocketHandlerMapping.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomHandlerConfiguration {

		@Bean
		NotifierWebSocketHandler customHandler(NotifierEngine engine) {
			return new NotifierWebSocketHandler(engine, Duration.ofSeconds(1), null);
		}

	}

	@Test
	void tomcatInboundBuffersShouldDefaultTo1KB() {
		this.contextRunner.withInitializer(NotifierWebSocketAutoConfigurationTests::withServerContainer)
			.run((context) -> assertThat(serverContainer(context).getDefaultMaxTextMessageBufferSize()).isEqualTo(1024));
	}

	@Test
	void tomcatInboundBuffersShouldFollowTheProperty() {
		this.contextRunner.withInitializer(NotifierWebSocketAutoConfigurationTests::withServerContainer)
			.withPropertyValues("notifier.inbound-buffer-size=4KB")
			.run((context) -> {
				assertThat(serverContainer(context).getDefaultMaxTextMessageBufferSize()).isEqualTo(4096);
				assertThat(serverContainer(context).getDefaultMaxBinaryMessageBufferSize()).isEqualTo(4096);
			});
	}

	@Test
	void tomcatInboundBuffersWhenUserConfiguresTheContainerShouldBackOff() {
		this.contextRunner.withInitializer(NotifierWebSocketAutoConfigurationTests::withServerContainer)
			.withBean(ServletServerContainerFactoryBean.class, UserContainerSettings::new)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TomcatInboundBuffers.class);
				assertThat(serverContainer(context).getDefaultMaxTextMessageBufferSize()).isEqualTo(8192);
			});
	}

	@Test
	void tomcatInboundBuffersWithANonPositiveSizeShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("notifier.inbound-buffer-size=0B")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notifier.inbound-buffer-size")
				.hasMessageContaining("must be positive"));
	}

	/** Tomcat's real WebSocket container (its client side), where the servlet container would put its own. */
	private static void withServerContainer(ConfigurableWebApplicationContext context) {
		context.getServletContext()
			.setAttribute(TomcatInboundBuffers.SERVER_CONTAINER_ATTRIBUTE, new WsWebSocketContainer());
	}

	private static WebSocketContainer serverContainer(WebApplicationContext context) {
		return (WebSocketContainer) context.getServletContext()
			.getAttribute(TomcatInboundBuffers.SERVER_CONTAINER_ATTRIBUTE);
	}

	/** An application's own container settings; applying them needs a real server container, so it is skipped. */
	static final class UserContainerSettings extends ServletServerContainerFactoryBean {

		@Override
		public void afterPropertiesSet() {
		}

	}

}
