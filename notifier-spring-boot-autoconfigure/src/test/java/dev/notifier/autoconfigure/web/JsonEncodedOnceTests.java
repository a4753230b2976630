package dev.notifier.autoconfigure.web;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.MessageEncoder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An object broadcast to many sessions is encoded to JSON once, and every session receives the same text. The
 * application's own {@link MessageEncoder} (the auto-configuration backs off) counts the encodings, using the
 * application's Jackson {@link JsonMapper}.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(JsonEncodedOnceTests.CountingEncoderConfiguration.class)
class JsonEncodedOnceTests extends ContainerTestSupport {

	@Autowired
	private CountingEncoder encoder;

	@Autowired
	private JsonMapper jsonMapper;

	@BeforeEach
	void resetCount() {
		this.encoder.encodings.set(0);
	}

	@Test
	void anObjectIsEncodedOncePerBroadcastWhateverTheNumberOfSessions() {
		List<TestClient> clients = List.of(join("tasks/7"), join("tasks/7"), join("tasks/7"), join("tasks/7"));
		TaskUpdate update = new TaskUpdate(7, "done", 100, Instant.parse("2026-01-02T03:04:05Z"));

		assertThat(this.notifier.broadcast("tasks/7", update)).isEqualTo(4);

		assertThat(this.encoder.encodings).hasValue(1);
		List<String> received = clients.stream().map((client) -> client.awaitTexts(1).get(0)).toList();
		assertThat(received).containsOnly(received.get(0));
		assertThat(this.jsonMapper.readValue(received.get(0), TaskUpdate.class)).isEqualTo(update);
	}

	@Test
	void everyVerbEncodesOnce() {
		TestClient first = join("a?name=first");
		TestClient second = join("a?name=second");
		TestClient third = join("b?name=third");
		TaskUpdate update = new TaskUpdate(1, "running", 50, Instant.EPOCH);

		assertThat(this.notifier.broadcastAll(update)).isEqualTo(3);
		assertThat(this.encoder.encodings).hasValue(1);
		assertThat(this.notifier.broadcastFilter("a", update, (session) -> true)).isEqualTo(2);
		assertThat(this.encoder.encodings).hasValue(2);
		assertThat(this.notifier.broadcastOthers(session("a", "first"), update)).isEqualTo(1);
		assertThat(this.encoder.encodings).hasValue(3);
		assertThat(this.notifier.broadcastMultiple(List.of(session("a", "first"), session("b", "third")), update))
			.isEqualTo(2);
		assertThat(this.encoder.encodings).hasValue(4);

		String json = this.jsonMapper.writeValueAsString(update);
		assertThat(first.awaitTexts(3)).containsExactly(json, json, json);
		assertThat(second.awaitTexts(3)).containsExactly(json, json, json);
		assertThat(third.awaitTexts(2)).containsExactly(json, json);
	}

	@Test
	void textAndBytesAreNotEncoded() {
		TestClient client = join("raw");

		this.notifier.broadcast("raw", "{\"already\":\"json\"}");
		this.notifier.broadcast("raw", new byte[] { 1 });

		assertThat(client.awaitMessages(2)).hasSize(2);
		assertThat(this.encoder.encodings).hasValue(0);
	}

	record TaskUpdate(long id, String status, int percent, Instant at) {
	}

	/** The application's encoder: Jackson, counting. */
	static final class CountingEncoder implements MessageEncoder {

		private final AtomicInteger encodings = new AtomicInteger();

		private final JsonMapper jsonMapper;

		CountingEncoder(JsonMapper jsonMapper) {
			this.jsonMapper = jsonMapper;
		}

		@Override
		public String encode(Object payload) {
			this.encodings.incrementAndGet();
			return this.jsonMapper.writeValueAsString(payload);
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class CountingEncoderConfiguration {

		@Bean
		CountingEncoder countingEncoder(JsonMapper jsonMapper) {
			return new CountingEncoder(jsonMapper);
		}

	}

}
