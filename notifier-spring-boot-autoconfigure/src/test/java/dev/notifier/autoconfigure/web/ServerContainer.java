package dev.notifier.autoconfigure.web;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.support.AbstractHandshakeHandler;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servlet container a test run is meant to use, and the proof that it is the one running.
 *
 * <p>Maven runs the container tests twice (see the surefire executions in this module's pom): once with only Tomcat on
 * the classpath and once with only Jetty, naming the container in the {@value #PROPERTY} system property. Checking
 * the running server against it makes a misconfigured classpath fail instead of silently testing one container
 * twice.
 */
enum ServerContainer {

	/**
	 * Tomcat: Spring upgrades through the standard Jakarta WebSocket API, so a notifier session runs over a
	 * {@code jakarta.websocket.Session} ({@code TomcatTransport}, which writes a backlog in few socket writes).
	 */
	TOMCAT("org.springframework.boot.tomcat.TomcatWebServer",
			"org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy"),

	/**
	 * Jetty 12: Spring upgrades through Jetty's own API, so a notifier session runs over an
	 * {@code org.eclipse.jetty.websocket.api.Session} ({@code JettyTransport}).
	 */
	JETTY("org.springframework.boot.jetty.servlet.JettyServletWebServer",
			"org.springframework.web.socket.server.jetty.JettyRequestUpgradeStrategy");

	/** The system property naming the container of this run: {@code tomcat} or {@code jetty}. */
	static final String PROPERTY = "notifier.test.container";

	private final String webServerClass;

	private final String upgradeStrategyClass;

	ServerContainer(String webServerClass, String upgradeStrategyClass) {
		this.webServerClass = webServerClass;
		this.upgradeStrategyClass = upgradeStrategyClass;
	}

	/** The container this run is meant to use. */
	static ServerContainer expected() {
		String named = System.getProperty(PROPERTY);
		if (named != null) {
			return valueOf(named.toUpperCase(Locale.ROOT));
		}
		boolean tomcat = isPresent("org.apache.catalina.startup.Tomcat");
		boolean jetty = isPresent("org.eclipse.jetty.server.Server");
		if (tomcat == jetty) {
			throw new IllegalStateException("Run the container tests through Maven (mvn test): both Tomcat and Jetty "
					+ "are test dependencies and each surefire execution takes one of them off the classpath, "
					+ "naming the other in -D" + PROPERTY + "=tomcat|jetty");
		}
		return tomcat ? TOMCAT : JETTY;
	}

	/** Checks that the application context runs on this container, with this container's WebSocket upgrade. */
	void assertRunsIn(ApplicationContext context) {
		assertThat(context).isInstanceOf(WebServerApplicationContext.class);
		WebServer webServer = ((WebServerApplicationContext) context).getWebServer();
		assertThat(webServer.getClass().getName()).as("the web server of a %s run", this)
			.isEqualTo(this.webServerClass);
		List<String> strategies = context.getBean("notifierHandlerMapping", WebSocketHandlerMapping.class)
			.getUrlMap()
			.values()
			.stream()
			.map((handler) -> ((WebSocketHttpRequestHandler) handler).getHandshakeHandler())
			.map(ServerContainer::upgradeStrategyOf)
			.distinct()
			.toList();
		assertThat(strategies).as("the WebSocket upgrade strategy of a %s run", this)
			.containsExactly(this.upgradeStrategyClass);
	}

	private static String upgradeStrategyOf(HandshakeHandler handler) {
		return ((AbstractHandshakeHandler) handler).getRequestUpgradeStrategy().getClass().getName();
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, ServerContainer.class.getClassLoader());
	}

	@Override
	public String toString() {
		return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
	}

}
