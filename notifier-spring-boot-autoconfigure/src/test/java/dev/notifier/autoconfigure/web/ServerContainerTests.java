package dev.notifier.autoconfigure.web;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run tests the container it claims to: the surefire execution's classpath leaves exactly one container, and the
 * server and Spring's WebSocket upgrade are that container's. Every container test checks this before it starts
 * (see {@link ContainerTestSupport}); this test says it on its own, by name.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ServerContainerTests extends ContainerTestSupport {

	@Autowired
	private ApplicationContext context;

	@Test
	void theServerIsTheContainerOfThisRun() {
		ServerContainer container = ServerContainer.expected();
		container.assertRunsIn(this.context);

		assertThat(((WebServerApplicationContext) this.context).getWebServer().getPort()).isEqualTo(this.port);
	}

	@Test
	void onlyOneContainerIsOnTheClasspath() {
		ServerContainer expected = ServerContainer.expected();

		assertThat(isPresent("org.apache.catalina.startup.Tomcat")).as("Tomcat on the classpath")
			.isEqualTo(expected == ServerContainer.TOMCAT);
		assertThat(isPresent("org.eclipse.jetty.server.Server")).as("Jetty on the classpath")
			.isEqualTo(expected == ServerContainer.JETTY);
	}

	@Test
	void aClientConnectsThroughThisContainer() {
		TestClient client = join("check");

		assertThat(this.notifier.broadcast("check", "through " + ServerContainer.expected())).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("through " + ServerContainer.expected());
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, ServerContainerTests.class.getClassLoader());
	}

}
