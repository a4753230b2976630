package dev.notifier.autoconfigure.web;

import dev.notifier.core.NotifierSession;
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
 * With a short heartbeat, every session is pinged each interval. A client that answers (the JDK client pongs by
 * itself) stays connected however many intervals pass; one that never answers is closed with 1001 once an interval
 * and the timeout have passed without a word from it.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notifier.heartbeat.interval=200ms", "notifier.heartbeat.timeout=1s" })
@Import(HeartbeatTests.ListenerConfiguration.class)
class HeartbeatTests extends ContainerTestSupport {

	private static final int INTERVALS = 5;

	@Autowired
	private RecordingListener listener;

	@BeforeEach
	void clearListener() {
		this.listener.clear();
	}

	@Test
	void aClientThatAnswersPingsStaysConnected() {
		TestClient client = join("live?name=answering");
		NotifierSession session = session("live", "answering");

		Waits.await(INTERVALS + " pongs, one per interval")
			.until(() -> this.listener.pongs(session) >= INTERVALS || client.isClosed());

		assertThat(client.isClosed()).isFalse();
		assertThat(client.pings()).isGreaterThanOrEqualTo(INTERVALS);
		assertThat(this.listener.pongs(session)).isGreaterThanOrEqualTo(INTERVALS);
		assertThat(session.isOpen()).isTrue();
		assertThat(this.notifier.broadcast("live", "still here")).isEqualTo(1);
		assertThat(client.awaitMessages(1)).containsExactly("still here");
	}

	@Test
	void aClientThatNeverAnswersIsClosedWith1001() {
		TestClient answering = join("live?name=answering");
		RawSilentClient silent = joinSilently("live?name=silent");
		NotifierSession silentSession = session("live", "silent");

		awaitSessions("live", 1);

		assertThat(this.notifier.sessions("live")).singleElement().isSameAs(session("live", "answering"));
		RawSilentClient.Ending ending = silent.readUntilClose();
		assertThat(ending.code()).as("how the server ended the silent connection: %s", ending).isEqualTo(1001);
		assertThat(ending.reason()).isEqualTo("heartbeat timeout");
		assertThat(ending.pings()).isPositive();
		assertThat(silentSession.isOpen()).isFalse();
		assertThat(answering.isClosed()).isFalse();
		assertThat(answering.pings()).isPositive();
		assertThat(this.notifier.broadcast("live", "still here")).isEqualTo(1);
		assertThat(answering.awaitMessages(1)).containsExactly("still here");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

}
