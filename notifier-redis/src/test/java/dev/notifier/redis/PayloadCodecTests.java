package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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
 * The payload format between instances: what one instance encodes, alone or several in one payload, another decodes
 * to the same messages in the same order, and what is not a payload of this format is refused with the reason.
 */
class PayloadCodecTests {

	private final PayloadCodec publisher = new PayloadCodec("a");

	private final PayloadCodec receiver = new PayloadCodec("b");

	@Test
	void aTextMessageArrivesAsTheSameText() throws Exception {
		Published published = decodeOne(this.receiver, encode(this.publisher, OutboundMessage.text("héllo \u2603")));

		assertThat(published).isInstanceOfSatisfying(Published.Message.class,
				(message) -> assertThat(message.message().text()).isEqualTo("héllo \u2603"));
	}

	@Test
	void aBinaryMessageArrivesAsTheSameBytes() throws Exception {
		byte[] bytes = { 0, 1, 2, (byte) 255 };

		Published published = decodeOne(this.receiver,
				encode(this.publisher, OutboundMessage.binary(ByteBuffer.wrap(bytes))));

		assertThat(published).isInstanceOfSatisfying(Published.Message.class,
				(message) -> assertThat(remaining(message.message().binary())).isEqualTo(bytes));
	}

	@Test
	void aCloseArrivesWithItsCodeAndReason() throws Exception {
		Published published = decodeOne(this.receiver, encode(this.publisher, new CloseStatus(4000, "done ✓")));

		assertThat(published).isEqualTo(new Published.Close(new CloseStatus(4000, "done ✓")));
	}

	@Test
	void aCloseWithoutReasonArrivesWithAnEmptyReason() throws Exception {
		Published published = decodeOne(this.receiver, encode(this.publisher, CloseStatus.NORMAL));

		assertThat(published).isEqualTo(new Published.Close(CloseStatus.NORMAL));
	}

	@Test
	void aRecordedBroadcastArrivesAtThePositionRedisWroteInEvenOnItsOrigin() throws Exception {
		byte[] kept = PayloadCodec.recordedMessage(OutboundMessage.text("line 7"));
		byte[] payload = recorded(this.publisher, "k3j9x0:7", PayloadCodec.recordedRest("session-1", kept));

		Published published = decodeOne(this.publisher, payload);

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

		Published published = decodeOne(this.receiver,
				recorded(this.publisher, "e1:1", PayloadCodec.recordedRest(null, kept)));

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
		byte[] payload = encode(this.publisher, OutboundMessage.text("x"));

		assertThat(payload).containsExactly(PayloadCodec.VERSION, 'T', 0, 1, 'a', 'x');
	}

	@Test
	void anInstanceSkipsItsOwnEcho() throws Exception {
		assertThat(this.publisher.decode(encode(this.publisher, OutboundMessage.text("mine")))).isEmpty();
	}

	@Test
	void anOriginThatOnlyStartsLikeThisInstancesIsNotAnEcho() throws Exception {
		PayloadCodec longer = new PayloadCodec("ab");

		assertThat(this.publisher.decode(encode(longer, OutboundMessage.text("x")))).hasSize(1);
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
		byte[] payload = encode(this.publisher, OutboundMessage.text("x"));
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
		byte[] payload = encode(this.publisher, OutboundMessage.text("x"));
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
		Published published = decodeOne(this.receiver, encode(this.publisher, "zoë", OutboundMessage.text("for you")));

		assertThat(published).isInstanceOfSatisfying(Published.ToUser.class, (toUser) -> {
			assertThat(toUser.user()).isEqualTo("zoë");
			assertThat(((Published.Message) toUser.published()).message().text()).isEqualTo("for you");
		});
		assertThat(published.isClose()).isFalse();
	}

	@Test
	void aCloseForAUserArrivesWithTheUserTheCodeAndTheReasonAndIsNeverDropped() throws Exception {
		Published published = decodeOne(this.receiver, encode(this.publisher, "alice", new CloseStatus(1008, "locked")));

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

	@Test
	void severalEntriesInOnePayloadArriveInTheOrderTheyWerePublished() throws Exception {
		byte[] payload = this.publisher.payload(List.of(PayloadCodec.entry(null, OutboundMessage.text("one")),
				PayloadCodec.entry(null, OutboundMessage.binary(ByteBuffer.wrap(new byte[] { 2 }))),
				PayloadCodec.entry("zoë", OutboundMessage.text("three")),
				PayloadCodec.entry("alice", new CloseStatus(1008, "four")),
				PayloadCodec.entry(null, new CloseStatus(4000, "five"))));

		List<Published> published = this.receiver.decode(payload);

		assertThat(payload[1]).isEqualTo((byte) 'M');
		assertThat(published).hasSize(5);
		assertThat(((Published.Message) published.get(0)).message().text()).isEqualTo("one");
		assertThat(remaining(((Published.Message) published.get(1)).message().binary())).containsExactly(2);
		assertThat(published.get(2)).isInstanceOfSatisfying(Published.ToUser.class, (toUser) -> {
			assertThat(toUser.user()).isEqualTo("zoë");
			assertThat(((Published.Message) toUser.published()).message().text()).isEqualTo("three");
		});
		assertThat(published.subList(3, 5)).containsExactly(
				new Published.ToUser("alice", new Published.Close(new CloseStatus(1008, "four"))),
				new Published.Close(new CloseStatus(4000, "five")));
	}

	@Test
	void anInstanceSkipsItsOwnEchoOfSeveral() throws Exception {
		byte[] payload = this.publisher.payload(List.of(PayloadCodec.entry(null, OutboundMessage.text("one")),
				PayloadCodec.entry(null, OutboundMessage.text("two"))));

		assertThat(this.publisher.decode(payload)).isEmpty();
	}

	@Test
	void anEntryCutShortInItsHeaderIsRefused() {
		byte[] payload = { PayloadCodec.VERSION, 'M', 0, 1, 'a', 'T', 0, 0 };

		assertMalformed(payload, "an entry cut short in its header");
	}

	@Test
	void anEntryRunningPastTheEndIsRefused() {
		byte[] payload = { PayloadCodec.VERSION, 'M', 0, 1, 'a', 'T', 0, 0, 0, 2, 'x' };

		assertMalformed(payload, "an entry of 2 bytes past the end of the payload");
	}

	@Test
	void anEntryOfSeveralOrOfARecordedBroadcastAmongSeveralIsRefused() {
		assertMalformed(new byte[] { PayloadCodec.VERSION, 'M', 0, 1, 'a', 'M', 0, 0, 0, 0 }, "unknown kind 77");
		assertMalformed(new byte[] { PayloadCodec.VERSION, 'M', 0, 1, 'a', 'R', 0, 0, 0, 0 }, "unknown kind 82");
	}

	private static byte[] encode(PayloadCodec origin, OutboundMessage message) {
		return origin.payload(List.of(PayloadCodec.entry(null, message)));
	}

	private static byte[] encode(PayloadCodec origin, CloseStatus status) {
		return origin.payload(List.of(PayloadCodec.entry(null, status)));
	}

	private static byte[] encode(PayloadCodec origin, String user, OutboundMessage message) {
		return origin.payload(List.of(PayloadCodec.entry(user, message)));
	}

	private static byte[] encode(PayloadCodec origin, String user, CloseStatus status) {
		return origin.payload(List.of(PayloadCodec.entry(user, status)));
	}

	private static Published decodeOne(PayloadCodec receiver, byte[] payload) throws MalformedPayloadException {
		List<Published> published = receiver.decode(payload);
		assertThat(published).hasSize(1);
		return published.get(0);
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
