package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.StreamPosition;
import dev.notifier.redis.PayloadCodec.MalformedPayloadException;
import dev.notifier.redis.PayloadCodec.Published;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The payload format between instances: what one instance encodes, another decodes to the same message, and what is
 * not a payload of this format is refused with the reason.
 */
class PayloadCodecTests {

	private final PayloadCodec publisher = new PayloadCodec("a");

	private final PayloadCodec receiver = new PayloadCodec("b");

	@Test
	void aTextMessageArrivesAsTheSameText() throws Exception {
		Published published = this.receiver.decode(this.publisher.encode(OutboundMessage.text("héllo \u2603")));

		assertThat(published).isInstanceOfSatisfying(Published.Message.class,
				(message) -> assertThat(message.message().text()).isEqualTo("héllo \u2603"));
	}

	@Test
	void aBinaryMessageArrivesAsTheSameBytes() throws Exception {
		byte[] bytes = { 0, 1, 2, (byte) 255 };

		Published published = this.receiver.decode(this.publisher.encode(OutboundMessage.binary(ByteBuffer.wrap(bytes))));

		assertThat(published).isInstanceOfSatisfying(Published.Message.class,
				(message) -> assertThat(remaining(message.message().binary())).isEqualTo(bytes));
	}

	@Test
	void aCloseArrivesWithItsCodeAndReason() throws Exception {
		Published published = this.receiver.decode(this.publisher.encode(new CloseStatus(4000, "done ✓")));

		assertThat(published).isEqualTo(new Published.Close(new CloseStatus(4000, "done ✓")));
	}

	@Test
	void aCloseWithoutReasonArrivesWithAnEmptyReason() throws Exception {
		Published published = this.receiver.decode(this.publisher.encode(CloseStatus.NORMAL));

		assertThat(published).isEqualTo(new Published.Close(CloseStatus.NORMAL));
	}

	@Test
	void aRecordedBroadcastArrivesAtThePositionRedisWroteInEvenOnItsOrigin() throws Exception {
		byte[] kept = PayloadCodec.recordedMessage(OutboundMessage.text("line 7"));
		byte[] payload = recorded(this.publisher, "k3j9x0:7", PayloadCodec.recordedRest("session-1", kept));

		Published published = this.publisher.decode(payload);

		assertThat(published).isInstanceOfSatisfying(Published.Recorded.class, (recorded) -> {
			assertThat(recorded.position()).isEqualTo(new StreamPosition("k3j9x0", 7));
			assertThat(recorded.message().text()).isEqualTo("line 7");
			assertThat(recorded.exceptSession()).isEqualTo("session-1");
		});
	}

	@Test
	void aRecordedBinaryMessageWithoutASessionLeftOutArrivesAsTheSameBytes() throws Exception {
		byte[] bytes = { 0, 10, (byte) 255 };
		byte[] kept = PayloadCodec.recordedMessage(OutboundMessage.binary(ByteBuffer.wrap(bytes)));

		Published published = this.receiver.decode(recorded(this.publisher, "e1:1", PayloadCodec.recordedRest(null, kept)));

		assertThat(published).isInstanceOfSatisfying(Published.Recorded.class, (recorded) -> {
			assertThat(remaining(recorded.message().binary())).isEqualTo(bytes);
			assertThat(recorded.exceptSession()).isNull();
		});
	}

	@Test
	void aRecordedBroadcastWithoutAValidPositionIsRefused() {
		byte[] rest = PayloadCodec.recordedRest(null, PayloadCodec.recordedMessage(OutboundMessage.text("x")));

		assertThatExceptionOfType(MalformedPayloadException.class)
			.isThrownBy(() -> this.receiver.decode(recorded(this.publisher, "no-offset", rest)))
			.withMessageContaining("a stream position is written <epoch>:<offset>");
		assertThatExceptionOfType(MalformedPayloadException.class)
			.isThrownBy(() -> this.receiver.decode(this.publisher.recordedHeader()))
			.withMessage("a recorded broadcast without its position");
	}

	/** A recorded broadcast's payload as the record script builds it: header, position, line feed, the rest. */
	private static byte[] recorded(PayloadCodec origin, String position, byte[] rest) {
		byte[] header = origin.recordedHeader();
		byte[] line = (position + "\n").getBytes(StandardCharsets.US_ASCII);
		return ByteBuffer.allocate(header.length + line.length + rest.length).put(header).put(line).put(rest).array();
	}

	@Test
	void thePayloadStartsWithTheVersionTheKindAndTheOrigin() {
		byte[] payload = this.publisher.encode(OutboundMessage.text("x"));

		assertThat(payload).containsExactly(PayloadCodec.VERSION, 'T', 0, 1, 'a', 'x');
	}

	@Test
	void anInstanceSkipsItsOwnEcho() throws Exception {
		assertThat(this.publisher.decode(this.publisher.encode(OutboundMessage.text("mine")))).isNull();
	}

	@Test
	void anOriginThatOnlyStartsLikeThisInstancesIsNotAnEcho() throws Exception {
		PayloadCodec longer = new PayloadCodec("ab");

		assertThat(this.publisher.decode(longer.encode(OutboundMessage.text("x")))).isNotNull();
	}

	@Test
	void aPayloadShorterThanTheHeaderIsRefused() {
		assertMalformed(new byte[] { PayloadCodec.VERSION, 'T', 0 }, "shorter than the header (3 bytes)");
	}

	@Test
	void anEmptyPayloadIsRefused() {
		assertMalformed(new byte[0], "shorter than the header (0 bytes)");
	}

	@Test
	void anotherVersionIsRefused() {
		byte[] payload = this.publisher.encode(OutboundMessage.text("x"));
		payload[0] = 2;

		assertMalformed(payload, "version 2 instead of 1");
	}

	@Test
	void anOriginLengthPastTheEndIsRefused() {
		byte[] payload = { PayloadCodec.VERSION, 'T', 0, 9, 'a', 'b' };

		assertMalformed(payload, "an origin of 9 bytes past the end of 6");
	}

	@Test
	void anOriginLengthReadAsUnsignedIsRefusedRatherThanNegative() {
		byte[] payload = { PayloadCodec.VERSION, 'T', (byte) 0xFF, (byte) 0xFF, 'a' };

		assertMalformed(payload, "an origin of 65535 bytes past the end of 5");
	}

	@Test
	void anUnknownKindIsRefused() {
		byte[] payload = this.publisher.encode(OutboundMessage.text("x"));
		payload[1] = 'X';

		assertMalformed(payload, "unknown kind 88");
	}

	@Test
	void aCloseWithoutItsCodeIsRefused() {
		byte[] payload = { PayloadCodec.VERSION, 'C', 0, 1, 'a', 3 };

		assertMalformed(payload, "a close without its code");
	}

	@Test
	void aMessageForAUserArrivesWithTheUserAndTheSameText() throws Exception {
		Published published = this.receiver.decode(this.publisher.encode("zoë", OutboundMessage.text("for you")));

		assertThat(published).isInstanceOfSatisfying(Published.ToUser.class, (toUser) -> {
			assertThat(toUser.user()).isEqualTo("zoë");
			assertThat(((Published.Message) toUser.published()).message().text()).isEqualTo("for you");
		});
		assertThat(published.isClose()).isFalse();
	}

	@Test
	void aCloseForAUserArrivesWithTheUserTheCodeAndTheReasonAndIsNeverDropped() throws Exception {
		Published published = this.receiver.decode(this.publisher.encode("alice", new CloseStatus(1008, "locked")));

		assertThat(published)
			.isEqualTo(new Published.ToUser("alice", new Published.Close(new CloseStatus(1008, "locked"))));
		assertThat(published.isClose()).isTrue();
	}

	@Test
	void aUsersPayloadWhoseUserRunsPastTheEndIsRefused() {
		byte[] payload = { PayloadCodec.VERSION, 't', 0, 1, 'a', 0, 9, 'b' };

		assertMalformed(payload, "a user of 9 bytes past the end of the payload");
	}

	@Test
	void anInstanceIdTooLongForTheHeaderIsRefusedUpFront() {
		char[] id = new char[0x10000];
		Arrays.fill(id, 'i');

		assertThatIllegalArgumentException().isThrownBy(() -> new PayloadCodec(new String(id)))
			.withMessageContaining("65535 bytes");
	}

	private void assertMalformed(byte[] payload, String reason) {
		assertThatExceptionOfType(MalformedPayloadException.class).isThrownBy(() -> this.receiver.decode(payload))
			.withMessage(reason);
	}

	private static byte[] remaining(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

}
