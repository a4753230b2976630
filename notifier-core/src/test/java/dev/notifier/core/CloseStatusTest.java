package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CloseStatusTest {

	@ParameterizedTest
	@ValueSource(ints = { 1004, 1005, 1006, 1015, 999, 0, -1, 5000 })
	void requireSendableRejectsReservedAndOutOfRangeCodes(int code) {
		CloseStatus status = new CloseStatus(code, "");

		assertThatIllegalArgumentException().isThrownBy(status::requireSendable)
			.withMessage("close code " + code + " cannot be sent in a close frame (RFC 6455, section 7.4)");
	}

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1003, 1007, 1008, 1009, 1011, 1013, 3000, 4000, 4999 })
	void requireSendableAcceptsSendableCodes(int code) {
		CloseStatus status = new CloseStatus(code, "ok");

		assertThat(status.requireSendable()).isSameAs(status);
	}

	@Test
	void requireSendableRejectsAReasonLongerThan123Utf8Bytes() {
		assertThat(new CloseStatus(1000, "x".repeat(123)).requireSendable()).isNotNull();
		assertThatIllegalArgumentException().isThrownBy(() -> new CloseStatus(1000, "x".repeat(124)).requireSendable())
			.withMessageStartingWith("close reason is longer than 123 bytes in UTF-8");
	}

	@Test
	void reasonLengthIsMeasuredInUtf8BytesNotCharacters() {
		String reason = "é".repeat(62);

		assertThat(reason).hasSize(62);
		assertThatIllegalArgumentException().isThrownBy(() -> new CloseStatus(1000, reason).requireSendable());
	}

	@Test
	void nullReasonBecomesEmpty() {
		assertThat(new CloseStatus(1000, null).reason()).isEmpty();
	}

	@Test
	void withReasonKeepsTheCode() {
		CloseStatus status = CloseStatus.SLOW_CONSUMER.withReason("send timeout");

		assertThat(status.code()).isEqualTo(1013);
		assertThat(status.reason()).isEqualTo("send timeout");
	}

	@Test
	void predefinedStatusesHaveTheirRfcCodes() {
		assertThat(CloseStatus.NORMAL.code()).isEqualTo(1000);
		assertThat(CloseStatus.GOING_AWAY.code()).isEqualTo(1001);
		assertThat(CloseStatus.POLICY_VIOLATION.code()).isEqualTo(1008);
		assertThat(CloseStatus.TOO_BIG.code()).isEqualTo(1009);
		assertThat(CloseStatus.SERVER_ERROR.code()).isEqualTo(1011);
		assertThat(CloseStatus.SLOW_CONSUMER.code()).isEqualTo(1013);
	}

}
