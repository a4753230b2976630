package dev.notifier.autoconfigure.web;

import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chat built from a {@link NotifierListener} bean bound to {@code chat/*}: it greets each session on connect and
 * broadcasts every text a session sends to the sender's group, the sender included. Groups outside the pattern have
 * no greeting and no echo. A recording listener bound to every group, ordered after the chat, tells when a message
 * sent by a client has been handled.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(ChatListenerTests.ChatConfiguration.class)
class ChatListenerTests extends ContainerTestSupport {

	@Autowired
	private RecordingListener recorder;

	@BeforeEach
	void clearRecorder() {
		this.recorder.clear();
	}

	@Test
	void theGreetingArrivesFirst() {
		TestClient client = join("chat/a");
		this.notifier.broadcast("chat/a", "marker");

		assertThat(client.awaitText("marker")).containsExactly("welcome to chat/a", "marker");
	}

	@Test
	void clientsOfARoomSeeEachOthersMessages() {
		TestClient alice = join("chat/a");
		alice.awaitMessages(1);
		TestClient bob = join("chat/a");
		bob.awaitMessages(1);

		alice.send("hi, I am alice");
		alice.awaitText("hi, I am alice");
		bob.send("hello alice");

		assertThat(alice.awaitMessages(3)).containsExactly("welcome to chat/a", "hi, I am alice", "hello alice");
		assertThat(bob.awaitMessages(3)).containsExactly("welcome to chat/a", "hi, I am alice", "hello alice");
	}

	@Test
	void anotherRoomSeesNothing() {
		TestClient alice = join("chat/a");
		TestClient carol = join("chat/b");
		carol.awaitMessages(1);

		alice.send("only for room a");
		alice.awaitText("only for room a");
		this.notifier.broadcast("chat/b", "marker");

		assertThat(carol.awaitMessages(2)).containsExactly("welcome to chat/b", "marker");
	}

	@Test
	void groupsOutsideThePatternHaveNoListener() {
		TestClient parent = join("chat");
		TestClient nested = join("chat/a/b");
		TestClient other = join("news");

		parent.send("echo?");
		nested.send("echo?");
		other.send("echo?");
		Waits.await("the three messages reach the listeners")
			.until(() -> this.recorder.texts().size() == 3);
		this.notifier.broadcastAll("marker");

		assertThat(parent.awaitText("marker")).containsExactly("marker");
		assertThat(nested.awaitText("marker")).containsExactly("marker");
		assertThat(other.awaitText("marker")).containsExactly("marker");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ChatConfiguration {

		@Bean
		@Order(0)
		NotifierListener chat(GroupNotifier notifier) {
			return new ChatListener(notifier);
		}

		/** Hears every group after the chat: once it has a message, the chat has handled it too. */
		@Bean
		@Order(1)
		RecordingListener recorder() {
			return new RecordingListener();
		}

	}

	/** The chat room: a listener that depends on the notifier it is a listener of, as an application's would. */
	static final class ChatListener implements NotifierListener {

		private final GroupNotifier notifier;

		ChatListener(GroupNotifier notifier) {
			this.notifier = notifier;
		}

		@Override
		public String groupPattern() {
			return "chat/*";
		}

		@Override
		public void onConnect(NotifierSession session) {
			session.send("welcome to " + session.group());
		}

		@Override
		public void onTextMessage(NotifierSession session, String message) {
			this.notifier.broadcast(session.group(), message);
		}

	}

}
