package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Inbound messages: assembly of parts, and the size limit. */
class InboundTest extends EngineTestSupport {

	private final RecordingListener listener = new RecordingListener();

	private NotifierEngine engineWithLimit(int maxInboundMessageSize) {
		return engine(options().maxInboundMessageSize(maxInboundMessageSize), this.listener);
	}

	private static ByteBuffer bytes(int... values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length);
		for (int value : values) {
			buffer.put((byte) value);
		}
		return buffer.flip();
	}

	@Test
	void wholeTextMessageReachesListeners() {
		NotifierEngine engine = engineWithLimit(100);
		Peer peer = open(engine, "a");

		peer.connection().onText("hello", true);

		assertThat(this.listener.texts).containsExactly("hello");
	}

	@Test
	void partialTextMessageIsAssembledBeforeItReachesListeners() {
		NotifierEngine engine = engineWithLimit(100);
		Peer peer = open(engine, "a");

		peer.connection().onText("hel", false);
		peer.connection().onText("lo ", false);
		assertThat(this.listener.texts).isEmpty();
		peer.connection().onText("world", true);

		assertThat(this.listener.texts).containsExactly("hello world");
	}

	@Test
	void consecutivePartialTextMessagesAreAssembledSeparately() {
		NotifierEngine engine = engineWithLimit(8);
		Peer peer = open(engine, "a");

		peer.connection().onText("1234", false);
		peer.connection().onText("5678", true);
		peer.connection().onText("abcd", false);
		peer.connection().onText("efgh", true);
		peer.connection().onText("whole", true);

		assertThat(this.listener.texts).containsExactly("12345678", "abcdefgh", "whole");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void wholeBinaryMessageReachesListeners() {
		NotifierEngine engine = engineWithLimit(100);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2, 3), true);

		assertThat(this.listener.binaries).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void partialBinaryMessageIsAssembledBeforeItReachesListeners() {
		NotifierEngine engine = engineWithLimit(100);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2), false);
		peer.connection().onBinary(bytes(), false);
		peer.connection().onBinary(bytes(3, 4, 5), false);
		assertThat(this.listener.binaries).isEmpty();
		peer.connection().onBinary(bytes(6), true);

		assertThat(this.listener.binaries).containsExactly(new byte[] { 1, 2, 3, 4, 5, 6 });
	}

	@Test
	void consecutivePartialBinaryMessagesAreAssembledSeparately() {
		NotifierEngine engine = engineWithLimit(4);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2), false);
		peer.connection().onBinary(bytes(3, 4), true);
		peer.connection().onBinary(bytes(5), false);
		peer.connection().onBinary(bytes(6, 7, 8), true);

		assertThat(this.listener.binaries).containsExactly(new byte[] { 1, 2, 3, 4 }, new byte[] { 5, 6, 7, 8 });
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void everyListenerGetsItsOwnViewOfABinaryMessage() {
		RecordingListener second = new RecordingListener();
		NotifierEngine engine = engine(options(), this.listener, second);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2, 3), true);

		assertThat(this.listener.binaries).containsExactly(new byte[] { 1, 2, 3 });
		assertThat(second.binaries).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void listenersGetReadOnlyViewsOfBinaryMessagesAndPongs() {
		List<ByteBuffer> seen = new CopyOnWriteArrayList<>();
		NotifierListener listener = new NotifierListener() {

			@Override
			public void onBinaryMessage(NotifierSession session, ByteBuffer message) {
				seen.add(message);
			}

			@Override
			public void onPong(NotifierSession session, ByteBuffer payload) {
				seen.add(payload);
			}

		};
		Peer peer = open(engine(options(), listener), "a");

		peer.connection().onBinary(bytes(1, 2, 3), true);
		peer.connection().onBinary(bytes(4), false);
		peer.connection().onBinary(bytes(5), true);
		peer.connection().onPong(bytes(6));

		assertThat(seen).hasSize(3).allMatch(ByteBuffer::isReadOnly);
	}

	@Test
	void messageAtTheLimitIsAccepted() {
		NotifierEngine engine = engineWithLimit(5);
		Peer peer = open(engine, "a");

		peer.connection().onText("12345", true);
		peer.connection().onText("12", false);
		peer.connection().onText("345", true);

		assertThat(this.listener.texts).containsExactly("12345", "12345");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void wholeTextMessageOverTheLimitClosesWith1009AndIsNotDelivered() {
		NotifierEngine engine = engineWithLimit(5);
		Peer peer = open(engine, "a");

		peer.connection().onText("123456", true);

		peer.awaitClosedWith(1009);
		assertThat(this.listener.texts).isEmpty();
		assertThat(peer.session().isOpen()).isFalse();
	}

	@Test
	void textLimitIsMeasuredInUtf8Bytes() {
		NotifierEngine engine = engineWithLimit(5);
		Peer peer = open(engine, "a");

		peer.connection().onText("ééé", true);

		peer.awaitClosedWith(1009);
		assertThat(this.listener.texts).isEmpty();
	}

	@Test
	void partialTextMessageOverTheLimitClosesWith1009AndIsNotDelivered() {
		NotifierEngine engine = engineWithLimit(5);
		Peer peer = open(engine, "a");

		peer.connection().onText("123", false);
		peer.connection().onText("456", false);
		peer.connection().onText("7", true);

		peer.awaitClosedWith(1009);
		assertThat(this.listener.texts).isEmpty();
	}

	@Test
	void wholeBinaryMessageOverTheLimitClosesWith1009AndIsNotDelivered() {
		NotifierEngine engine = engineWithLimit(2);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2, 3), true);

		peer.awaitClosedWith(1009);
		assertThat(this.listener.binaries).isEmpty();
	}

	@Test
	void partialBinaryMessageOverTheLimitClosesWith1009AndIsNotDelivered() {
		NotifierEngine engine = engineWithLimit(4);
		Peer peer = open(engine, "a");

		peer.connection().onBinary(bytes(1, 2, 3), false);
		peer.connection().onBinary(bytes(4, 5), false);
		peer.connection().onBinary(bytes(6), true);

		peer.awaitClosedWith(1009);
		assertThat(peer.transport().closeStatus()).isEqualTo(CloseStatus.TOO_BIG);
		assertThat(this.listener.binaries).isEmpty();
	}

	@Test
	void messagesAfterAnOversizedOneAreIgnored() {
		NotifierEngine engine = engineWithLimit(4);
		Peer peer = open(engine, "a");
		peer.transport().reportClose(false);

		peer.connection().onText("too long", true);
		peer.connection().onText("ok", true);
		peer.connection().onBinary(bytes(1), true);

		peer.awaitClosedWith(1009);
		assertThat(this.listener.texts).isEmpty();
		assertThat(this.listener.binaries).isEmpty();
	}

	@Test
	void oversizedMessageDiscardsWhatIsQueuedForTheSession() {
		NotifierEngine engine = engineWithLimit(4);
		Peer peer = openHeld(engine, "a");
		engine.broadcast("a", "1");
		flush(engine);
		engine.broadcast("a", "2");

		peer.connection().onText("too long", true);
		peer.transport().completeAll();

		peer.awaitClosedWith(1009);
		assertThat(peer.texts()).containsExactly("1");
	}

	@Test
	void openTellsTheTransportTheInboundLimit() {
		NotifierEngine engine = engineWithLimit(1234);

		Peer peer = open(engine, "a");

		assertThat(peer.transport().inboundLimit()).isEqualTo(1234);
	}

}
