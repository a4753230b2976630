package dev.notifier.benchmarks.server;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts a benchmark server with the settings all of them share, so that they differ only in how they broadcast (and
 * notifier-jetty in its container).
 */
public final class BenchmarkServers {

	/**
	 * Tomcat's defaults cap connections at 8,192 and the accept queue at 100; the 10,000-connection scenarios need
	 * more of both, for every server alike. Jetty caps no connections by default; its accept queue is
	 * {@link JettySettings}'.
	 */
	private static final Map<String, Object> SHARED = Map.of(
			"server.tomcat.max-connections", "20000",
			"server.tomcat.accept-count", Integer.toString(BenchmarkServers.ACCEPT_QUEUE),
			"spring.main.banner-mode", "off",
			"logging.level.root", "WARN");

	/** Connections the kernel queues for the server to accept, on either container. */
	public static final int ACCEPT_QUEUE = 1000;

	private BenchmarkServers() {
	}

	/** Runs {@code application} with the shared settings plus its own; {@code --server.port} comes in the args. */
	public static void run(Class<?> application, String[] args, Map<String, Object> ownSettings) {
		SpringApplication app = new SpringApplication(application, JettySettings.class);
		Map<String, Object> settings = new HashMap<>(SHARED);
		settings.putAll(ownSettings);
		app.setDefaultProperties(settings);
		app.run(args);
	}

	/**
	 * The shared settings Spring Boot has no property for on Jetty: its accept queue, which is otherwise the JDK's
	 * default of 50. Only where Jetty is the container (notifier-jetty); the others have no Jetty class.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.eclipse.jetty.server.ServerConnector")
	static class JettySettings {

		@Bean
		WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> jettyAcceptQueue() {
			return (factory) -> factory.addServerCustomizers((server) -> {
				for (Connector connector : server.getConnectors()) {
					if (connector instanceof ServerConnector serverConnector) {
						serverConnector.setAcceptQueueSize(ACCEPT_QUEUE);
					}
				}
			});
		}

	}

}
