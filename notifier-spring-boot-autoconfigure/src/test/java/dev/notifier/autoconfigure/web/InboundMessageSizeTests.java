package dev.notifier.autoconfigure.web;

import java.util.Arrays;

import jakarta.servlet.ServletContext;
import jakarta.websocket.WebSocketContainer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An inbound message up to {@code notifier.max-inbound-message-size} reaches the listeners whole; a larger one closes
 * the session with 1009 and reaches nobody. The limit counts bytes (UTF-8 for text), across the frames of a
 * fragmented message. On Tomcat the engine enforces it while the parts arrive; on Jetty, which hands over whole
 * messages only, Jetty enforces the limit the engine gave it.
 *
 * <p>Tomcat's inbound buffers are smaller than the limit here ({@code notifier.inbound-buffer-size}), so on Tomcat a
 * message at the limit arrives in parts that the engine joins.
 *
 * <p>That an oversized message was not delivered needs no waiting: it is refused before the close frame is sent, so
 * had it been delivered, the listener would have recorded it before the client saw its 1009.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.max-inbound-message-size=1KB", "notifier.inbound-buffer-size=256B" })
@Import(InboundMessageSizeTests.ListenerConfiguration.class)
class InboundMessageSizeTests extends ContainerTestSupport {

	private static final int LIMIT = 1024;

	@Autowired
	private RecordingListener listener;

	@BeforeEach
	void clearListener() {
		this.listener.clear();
	}

	@Autowired
	private ServletContext servletContext;

	@Test
	void tomcatSessionsGetTheConfiguredInboundBuffers() {
		Object container = this.servletContext.getAttribute("jakarta.websocket.server.ServerContainer");
		if (ServerContainer.expected() == ServerContainer.TOMCAT) {
			assertThat(container).isInstanceOfSatisfying(WebSocketContainer.class, (tomcat) -> {
				assertThat(tomcat.getDefaultMaxTextMessageBufferSize()).isEqualTo(256);
				assertThat(tomcat.getDefaultMaxBinaryMessageBufferSize()).isEqualTo(256);
			});
		}
	}

	@Test
	void textAtTheLimitIsDeliveredAndOneByteMoreClosesWith1009() {
		TestClient client = join("inbox");
		String atLimit = "a".repeat(LIMIT);

		client.send(atLimit);
		Waits.await("the listener receives the message").until(() -> this.listener.texts().contains(atLimit));
		assertThat(client.isClosed()).isFalse();

		client.send("b".repeat(LIMIT + 1));

		assertThat(client.awaitClose().code()).isEqualTo(1009);
		awaitSessions("inbox", 0);
		assertThat(this.listener.texts()).containsExactly(atLimit);
	}

	@Test
	void theLimitCountsUtf8Bytes() {
		TestClient client = join("inbox");
		String atLimit = "é".repeat(LIMIT / 2);

		client.send(atLimit);
		Waits.await("the listener receives the message").until(() -> this.listener.texts().contains(atLimit));

		client.send("é".repeat(LIMIT / 2 + 1));

		assertThat(client.awaitClose().code()).isEqualTo(1009);
		assertThat(this.listener.texts()).containsExactly(atLimit);
	}

	@Test
	void aFragmentedMessageIsJoinedAndLimitedAsAWhole() {
		TestClient client = join("inbox");

		client.sendInParts("a".repeat(600), "b".repeat(LIMIT - 600));
		String joined = "a".repeat(600) + "b".repeat(LIMIT - 600);
		Waits.await("the listener receives the joined message").until(() -> this.listener.texts().contains(joined));

		client.sendInParts("c".repeat(600), "d".repeat(600));

		assertThat(client.awaitClose().code()).isEqualTo(1009);
		assertThat(this.listener.texts()).containsExactly(joined);
	}

	@Test
	void binaryMessagesHaveTheSameLimit() {
		TestClient client = join("inbox");
		byte[] atLimit = new byte[LIMIT];
		Arrays.fill(atLimit, (byte) 7);

		client.send(atLimit);
		Waits.await("the listener receives the message").until(() -> this.listener.binaries().size() == 1);
		assertThat(this.listener.binaries().get(0)).isEqualTo(atLimit);

		client.send(new byte[LIMIT + 1]);

		assertThat(client.awaitClose().code()).isEqualTo(1009);
		assertThat(this.listener.binaries()).hasSize(1);
	}

	@Test
	void anOversizedMessageClosesOnlyItsSender() {
		TestClient sender = join("inbox");
		TestClient bystander = join("inbox");

		sender.send("x".repeat(LIMIT + 1));
		assertThat(sender.awaitClose().code()).isEqualTo(1009);
		// The client sees the close frame before the engine hears of the close (on Jetty, which enforces the limit).
		awaitSessions("inbox", 1);
		bystander.send("still here");

		Waits.await("the listener receives the bystander's message")
			.until(() -> this.listener.texts().contains("still here"));
		assertThat(this.listener.texts()).containsExactly("still here");
		assertThat(this.notifier.broadcast("inbox", "to the bystander")).isEqualTo(1);
		assertThat(bystander.awaitMessages(1)).containsExactly("to the bystander");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

}
