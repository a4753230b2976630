package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.notifier.core.RecordingTransport.Binary;
import dev.notifier.core.RecordingTransport.Text;

/** Every broadcast verb, and how each kind of payload travels. */
class BroadcastVerbsTest extends EngineTestSupport {

	private final AtomicInteger encodings = new AtomicInteger();

	private final MessageEncoder countingEncoder = (payload) -> {
		this.encodings.incrementAndGet();
		return "{\"value\":\"" + payload + "\"}";
	};

	private NotifierEngine engineWithEncoder() {
		return engine(options().build(), this.countingEncoder);
	}

	@Test
	void broadcastAllReachesEveryGroup() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "b");
		Peer c = open(engine, "c/d");

		assertThat(engine.broadcastAll("all")).isEqualTo(3);

		assertThat(a.texts()).containsExactly("all");
		assertThat(b.texts()).containsExactly("all");
		assertThat(c.texts()).containsExactly("all");
	}

	@Test
	void broadcastFilterReachesOnlyTheSessionsOfTheGroupThatPass() {
		NotifierEngine engine = engine();
		Peer admin = open(engine, "a");
		admin.session().setAttribute("role", "admin");
		Peer user = open(engine, "a");
		user.session().setAttribute("role", "user");
		Peer otherAdmin = open(engine, "b");
		otherAdmin.session().setAttribute("role", "admin");

		int queued = engine.broadcastFilter("a", "for admins", (s) -> "admin".equals(s.getAttribute("role")));

		assertThat(queued).isEqualTo(1);
		assertThat(admin.texts()).containsExactly("for admins");
		assertThat(user.texts()).isEmpty();
		assertThat(otherAdmin.texts()).isEmpty();
	}

	@Test
	void broadcastOthersExcludesTheSender() {
		NotifierEngine engine = engine();
		Peer sender = open(engine, "chat/lobby");
		Peer other1 = open(engine, "chat/lobby");
		Peer other2 = open(engine, "chat/lobby");
		Peer elsewhere = open(engine, "chat/other");

		int queued = engine.broadcastOthers(sender.session(), "hi all");

		assertThat(queued).isEqualTo(2);
		assertThat(sender.texts()).isEmpty();
		assertThat(other1.texts()).containsExactly("hi all");
		assertThat(other2.texts()).containsExactly("hi all");
		assertThat(elsewhere.texts()).isEmpty();
	}

	@Test
	void broadcastMultipleReachesTheGivenSessionsWhateverTheirGroups() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "b");
		Peer notChosen = open(engine, "a");

		int queued = engine.broadcastMultiple(List.of(a.session(), b.session()), "chosen");

		assertThat(queued).isEqualTo(2);
		assertThat(a.texts()).containsExactly("chosen");
		assertThat(b.texts()).containsExactly("chosen");
		assertThat(notChosen.texts()).isEmpty();
	}

	@Test
	void broadcastMultipleSkipsClosedSessions() {
		NotifierEngine engine = engine();
		Peer open = open(engine, "a");
		Peer closed = open(engine, "b");
		Peer peerClosed = open(engine, "c");
		closed.session().close(CloseStatus.NORMAL);
		peerClosed.connection().onClosed(CloseStatus.GOING_AWAY);

		int queued = engine.broadcastMultiple(List.of(open.session(), closed.session(), peerClosed.session()), "x");

		assertThat(queued).isEqualTo(1);
		assertThat(open.texts()).containsExactly("x");
		assertThat(closed.texts()).isEmpty();
		assertThat(peerClosed.texts()).isEmpty();
	}

	@Test
	void broadcastMultipleSkipsSessionsOfAnotherEngine() {
		NotifierEngine engine = engine();
		NotifierEngine other = engine();
		Peer own = open(engine, "a");
		Peer foreign = open(other, "a");

		assertThat(engine.broadcastMultiple(List.of(own.session(), foreign.session()), "x")).isEqualTo(1);
		assertThat(foreign.texts()).isEmpty();
	}

	@Test
	void sessionSendReachesOnlyThatSession() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "a");

		assertThat(a.session().send("just you")).isTrue();

		assertThat(a.texts()).containsExactly("just you");
		assertThat(b.texts()).isEmpty();
		assertThat(a.session().sentMessages()).isEqualTo(1);
	}

	@Test
	void sendToAClosedSessionReturnsFalse() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		a.session().close(CloseStatus.NORMAL);

		assertThat(a.session().send("late")).isFalse();
		assertThat(a.texts()).isEmpty();
	}

	@Test
	void stringIsSentAsText() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		engine.broadcast("a", "héllo");

		assertThat(peer.transport().events()).containsExactly(new Text("héllo"));
	}

	@Test
	void byteArrayIsSentAsBinary() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		engine.broadcast("a", new byte[] { 1, 2, 3 });

		assertThat(peer.transport().events()).singleElement().isInstanceOf(Binary.class);
		assertThat(peer.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void byteBufferIsSentAsBinaryFromItsPositionToItsLimit() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");
		ByteBuffer buffer = ByteBuffer.wrap(new byte[] { 9, 1, 2, 3, 9 });
		buffer.position(1).limit(4);

		engine.broadcast("a", buffer);

		assertThat(peer.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
		assertThat(buffer.position()).as("the caller's buffer is not consumed").isEqualTo(1);
		assertThat(buffer.limit()).isEqualTo(4);
	}

	@Test
	void byteArrayIsCopiedSoTheCallerMayReuseIt() {
		NotifierEngine engine = engine();
		Peer idle = open(engine, "a");
		Peer busy = openHeld(engine, "a");
		busy.session().send("in flight");
		byte[] bytes = { 1, 2, 3 };

		engine.broadcast("a", bytes);
		bytes[0] = 42;
		busy.transport().completeAll();

		assertThat(idle.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
		assertThat(busy.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void byteBufferIsCopiedSoTheCallerMayReuseIt() {
		NotifierEngine engine = engine();
		Peer idle = open(engine, "a");
		Peer busy = openHeld(engine, "a");
		busy.session().send("in flight");
		ByteBuffer buffer = ByteBuffer.allocate(3).put(new byte[] { 1, 2, 3 }).flip();

		engine.broadcast("a", buffer);
		buffer.clear().put(new byte[] { 7, 7, 7 });
		busy.transport().completeAll();

		assertThat(idle.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
		assertThat(busy.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void binaryViewHandedToOneTransportDoesNotDisturbAnother() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		Peer b = open(engine, "a");

		engine.broadcast("a", new byte[] { 1, 2, 3 });
		ByteBuffer first = ((Binary) a.transport().events().get(0)).data();
		first.get();

		assertThat(first.isReadOnly()).isTrue();
		assertThat(b.transport().binaries()).containsExactly(new byte[] { 1, 2, 3 });
	}

	@Test
	void objectIsEncodedOnceWhateverTheNumberOfSessions() {
		NotifierEngine engine = engineWithEncoder();
		List<Peer> peers = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			peers.add(open(engine, (i % 2 == 0) ? "a" : "b"));
		}

		engine.broadcastAll(new StringBuilder("v"));

		assertThat(this.encodings).hasValue(1);
		assertThat(peers).allSatisfy((peer) -> assertThat(peer.texts()).containsExactly("{\"value\":\"v\"}"));
	}

	@Test
	void objectIsEncodedOncePerBroadcastForEveryVerb() {
		NotifierEngine engine = engineWithEncoder();
		Peer a1 = open(engine, "a");
		Peer a2 = open(engine, "a");

		engine.broadcast("a", 1);
		engine.broadcastFilter("a", 2, (s) -> true);
		engine.broadcastOthers(a1.session(), 3);
		engine.broadcastMultiple(List.of(a1.session(), a2.session()), 4);
		engine.broadcastAll(5);

		assertThat(this.encodings).hasValue(5);
		assertThat(a2.texts()).hasSize(5);
	}

	@Test
	void objectIsEncodedEvenWhenNoSessionReceivesIt() {
		NotifierEngine engine = engineWithEncoder();

		assertThat(engine.broadcast("empty", 1)).isZero();
		assertThat(this.encodings).hasValue(1);
	}

	@Test
	void stringsAndBytesAreNeverPassedToTheEncoder() {
		NotifierEngine engine = engineWithEncoder();
		Peer peer = open(engine, "a");

		engine.broadcast("a", "text");
		engine.broadcast("a", new byte[] { 1 });
		engine.broadcast("a", ByteBuffer.wrap(new byte[] { 2 }));
		engine.broadcast("a", OutboundMessage.text("ready-made"));

		assertThat(this.encodings).hasValue(0);
		assertThat(peer.texts()).containsExactly("text", "ready-made");
		assertThat(peer.transport().binaries()).containsExactly(new byte[] { 1 }, new byte[] { 2 });
	}

	@Test
	void objectWithoutAnEncoderIsRefusedBeforeAnythingIsSent() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		assertThatIllegalArgumentException().isThrownBy(() -> engine.broadcast("a", 42))
			.withMessageContaining("no MessageEncoder is configured")
			.withMessageContaining("java.lang.Integer");
		assertThat(peer.transport().events()).isEmpty();
	}

	@Test
	void sessionSendEncodesObjectsToo() {
		NotifierEngine engine = engineWithEncoder();
		Peer peer = open(engine, "a");

		peer.session().send(7);

		assertThat(peer.texts()).containsExactly("{\"value\":\"7\"}");
	}

	@Test
	void sequenceIncrementsWithEachBroadcastToTheGroup() {
		NotifierEngine engine = engine();
		open(engine, "a");
		open(engine, "a");
		open(engine, "b");
		long a = engine.sequence("a");
		long b = engine.sequence("b");

		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		engine.broadcast("b", "1");
		engine.broadcastFilter("a", "3", (s) -> false);

		assertThat(engine.sequence("a")).isEqualTo(a + 3);
		assertThat(engine.sequence("b")).isEqualTo(b + 1);

		engine.broadcastAll("everyone");

		assertThat(engine.sequence("a")).isEqualTo(a + 4);
		assertThat(engine.sequence("b")).isEqualTo(b + 2);
	}

	@Test
	void messagesSentCountsEveryWrite() {
		NotifierEngine engine = engine();
		Peer a = open(engine, "a");
		open(engine, "a");

		engine.broadcast("a", "1");
		engine.broadcast("a", "2");
		flush(engine);

		assertThat(engine.statistics().messagesSent()).isEqualTo(4);
		assertThat(a.session().sentMessages()).isEqualTo(2);
	}

	@Test
	void broadcastsGoThroughTheDeliveryDecorator() {
		List<Broadcast> seen = new ArrayList<>();
		NotifierEngine engine = NotifierEngine.builder(options().build()).delivery((local) -> (broadcast) -> {
			seen.add(broadcast);
			return local.deliver(broadcast);
		}).build();
		engine.start();
		try {
			Peer peer = open(engine, "a");

			assertThat(engine.broadcast("a", "x")).isEqualTo(1);

			assertThat(seen).singleElement().satisfies((broadcast) -> {
				assertThat(broadcast.target()).isEqualTo(Broadcast.Target.GROUP);
				assertThat(broadcast.group()).isEqualTo("a");
				assertThat(broadcast.message().text()).isEqualTo("x");
			});
			// Written by the engine's own writer threads.
			eventually().untilAsserted(() -> assertThat(peer.texts()).containsExactly("x"));
		}
		finally {
			engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
		}
	}

	@Test
	void eachDeliveryDecoratorWrapsTheOnesBeforeItSoNoneIsLost() {
		// Builder customizers each add a decorator: a later one must not drop what an earlier one wrapped.
		List<String> order = new ArrayList<>();
		NotifierEngine engine = NotifierEngine.builder(options().build()).delivery((local) -> (broadcast) -> {
			order.add("first");
			return local.deliver(broadcast);
		}).delivery((inner) -> (broadcast) -> {
			order.add("second");
			return inner.deliver(broadcast);
		}).build();
		engine.start();
		try {
			open(engine, "a");

			assertThat(engine.broadcast("a", "x")).isEqualTo(1);

			assertThat(order).containsExactly("second", "first");
		}
		finally {
			engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
		}
	}

	@Test
	void textSizeIsCountedInUtf8Bytes() {
		assertThat(OutboundMessage.text("abc").sizeInBytes()).isEqualTo(3);
		assertThat(OutboundMessage.text("é").sizeInBytes()).isEqualTo(2);
		assertThat(OutboundMessage.text("€").sizeInBytes()).isEqualTo(3);
		assertThat(OutboundMessage.text("😀").sizeInBytes()).isEqualTo(4);
		String mixed = "a é € 😀 z";
		assertThat(OutboundMessage.text(mixed).sizeInBytes())
			.isEqualTo(mixed.getBytes(StandardCharsets.UTF_8).length);
	}

}
