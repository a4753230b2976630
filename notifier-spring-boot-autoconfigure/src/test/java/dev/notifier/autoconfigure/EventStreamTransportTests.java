package dev.notifier.autoconfigure;

import java.nio.charset.StandardCharsets;

import dev.notifier.core.CloseStatus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code close} event an event stream ends with, read as a browser's {@code EventSource} and a client's
 * {@code JSON.parse} would.
 */
class EventStreamTransportTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void theCloseEventsDataIsOneLineOfJsonThatGivesTheReasonBackWhateverItHolds() {
		String reason = "a \"quoted\" C:\\path,\nthen\r\na\ttab, a bell \u0007 and \u00e9";

		String event = new String(EventStreamTransport.closeEvent(new CloseStatus(1008, reason)),
				StandardCharsets.UTF_8);

		assertThat(event).doesNotContain("\r");
		assertThat(event.split("\n", -1)).hasSize(4).startsWith("event: close").endsWith("", "");
		String data = event.split("\n")[1];
		assertThat(data).startsWith("data: ");
		JsonNode status = json.readTree(data.substring("data: ".length()));
		assertThat(status.get("code").asInt()).isEqualTo(1008);
		assertThat(status.get("reason").asString()).isEqualTo(reason);
	}

	@Test
	void aCloseEventWithoutAReasonHasAnEmptyOne() {
		String event = new String(EventStreamTransport.closeEvent(CloseStatus.NORMAL.withReason("")),
				StandardCharsets.UTF_8);

		assertThat(event).isEqualTo("event: close\ndata: {\"code\":1000,\"reason\":\"\"}\n\n");
	}

}
