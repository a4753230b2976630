package dev.notifier.autoconfigure.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.notifier.core.transport.TomcatTransport;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A burst far ahead of the socket: each session's backlog is written in batches (on Tomcat framed by the engine into
 * one socket write, on Jetty gathered by its core), and every reader still gets every message whole and in order,
 * text and binary mixed, with every length of frame header.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "notifier.outbound.max-queued-messages=4000")
class BacklogTests extends ContainerTestSupport {

	private static final int MESSAGES = 3_000;

	@Test
	void aBurstReachesEveryReaderWholeAndInOrder() {
		List<TestClient> readers = List.of(join("burst"), join("burst"), join("burst"));
		List<Object> expected = new ArrayList<>();
		for (int i = 0; i < MESSAGES; i++) {
			// Non-ASCII text checks the UTF-8 bytes encoded once; every 10th message is binary; sizes vary.
			Object message = (i % 10 == 9) ? ("bin " + i).getBytes(StandardCharsets.UTF_8)
					: "m" + i + " é€😀 " + "x".repeat(i % 300);
			expected.add(message);
			assertThat(this.notifier.broadcast("burst", message)).isEqualTo(readers.size());
		}

		for (TestClient reader : readers) {
			assertThat(reader.awaitMessages(MESSAGES)).containsExactlyElementsOf(expected);
		}
	}

	@Test
	void messagesOfEveryFrameHeaderLengthArriveWhole() {
		TestClient reader = join("sizes");
		// 125 bytes and less: a 2-byte header; up to 65,535: 4 bytes; beyond: 10 bytes. Each batch mixes them.
		List<Object> expected = List.of("x".repeat(125), "y".repeat(126), "z".repeat(65_535), "w".repeat(65_536),
				"é".repeat(50_000), new byte[70_000], "last");
		for (Object message : expected) {
			this.notifier.broadcast("sizes", message);
		}

		assertThat(reader.awaitMessages(expected.size())).containsExactlyElementsOf(expected);
	}

	@Test
	void tomcatSessionsUseTheTransportThatWritesBacklogsTogether() {
		assertThat(TomcatTransport.isAvailable()).isEqualTo(ServerContainer.expected() == ServerContainer.TOMCAT);
	}

}
