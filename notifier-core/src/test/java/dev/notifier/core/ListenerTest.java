package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Listeners: which groups they hear, which events, and what a failing listener does. */
class ListenerTest extends EngineTestSupport {

	@Test
	void listenerHearsOnlyTheGroupsItsPatternMatches() {
		RecordingListener chat = new RecordingListener("chat/*");
		NotifierEngine engine = engine(chat);
		Peer chatA = open(engine, "chat/a");
		Peer chatRoot = open(engine, "chat");
		Peer otherA = open(engine, "other/a");
		Peer chatDeep = open(engine, "chat/a/b");

		for (Peer peer : List.of(chatA, chatRoot, otherA, chatDeep)) {
			peer.connection().onText("from " + peer.session().group(), true);
		}

		assertThat(chat.texts).containsExactly("from chat/a");
		assertThat(chat.eventsStartingWith("connect")).containsExactly("connect chat/a");
	}

	@Test
	void whatOnConnectSendsComesBeforeBroadcastsThatArrivedMeanwhile() {
		NotifierEngine[] engine = new NotifierEngine[1];
		engine[0] = engine(new NotifierListener() {

			@Override
			public void onConnect(NotifierSession session) {
				// A broadcast made while the greeting is being prepared, as another thread might.
				engine[0].broadcast(session.group(), "live");
				session.send("greeting");
			}

		});

		Peer peer = open(engine[0], "tasks/1");

		assertThat(peer.texts()).containsExactly("greeting", "live");
	}

	@Test
	void aSessionClosedWhileConnectingStillWritesTheBroadcastsItWasGiven() {
		NotifierEngine[] engine = new NotifierEngine[1];
		engine[0] = engine(new NotifierListener() {

			@Override
			public void onConnect(NotifierSession session) {
				engine[0].broadcast(session.group(), "live");
				session.close(CloseStatus.NORMAL);
			}

		});

		Peer peer = open(engine[0], "tasks/1");

		peer.awaitClosedWith(1000);
		assertThat(peer.texts()).containsExactly("live");
	}

	@Test
	void eachListenerHearsItsOwnGroups() {
		RecordingListener tasks = new RecordingListener("tasks/**");
		RecordingListener everything = new RecordingListener();
		RecordingListener lobby = new RecordingListener("chat/lobby");
		NotifierEngine engine = engine(tasks, everything, lobby);

		open(engine, "tasks");
		open(engine, "tasks/1/log");
		open(engine, "chat/lobby");

		assertThat(tasks.events).containsExactly("connect tasks", "connect tasks/1/log");
		assertThat(everything.events).containsExactly("connect tasks", "connect tasks/1/log", "connect chat/lobby");
		assertThat(lobby.events).containsExactly("connect chat/lobby");
	}

	@Test
	void listenersOfEveryCallToTheBuilderHearTheSessionsInCallOrder() {
		// The auto-configuration adds the listener beans and a customizer may add more: neither replaces the other.
		RecordingListener first = new RecordingListener();
		RecordingListener second = new RecordingListener();
		NotifierEngine engine = NotifierEngine.builder(options().build())
			.listeners(() -> List.of(first))
			.listeners(() -> List.of(second))
			.build();
		engine.start();
		try {
			open(engine, "chat/lobby");

			assertThat(first.events).containsExactly("connect chat/lobby");
			assertThat(second.events).containsExactly("connect chat/lobby");
		}
		finally {
			engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);
		}
	}

	@Test
	void invalidListenerPatternIsRejectedWhenTheEngineStarts() {
		RecordingListener invalid = new RecordingListener("chat/*x");
		NotifierEngine engine = NotifierEngine.builder(options().build()).listeners(() -> List.of(invalid)).build();

		assertThatIllegalArgumentException().isThrownBy(engine::start).withMessageContaining("chat/*x");
		assertThat(engine.isRunning()).isFalse();
	}

	@Test
	void onConnectFiresOnceWhenTheSessionOpens() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);

		open(engine, "a");

		assertThat(listener.events).containsExactly("connect a");
	}

	@Test
	void onDisconnectFiresOnceWithTheStatusTheContainerReports() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = open(engine, "a");

		peer.connection().onClosed(new CloseStatus(1001, "bye"));
		peer.connection().onClosed(new CloseStatus(1006, ""));
		peer.session().close(CloseStatus.NORMAL);

		assertThat(listener.disconnects).containsExactly(new CloseStatus(1001, "bye"));
		assertThat(listener.events).containsExactly("connect a", "disconnect a 1001");
	}

	@Test
	void onDisconnectFiresOnceAfterTheServerCloses() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = open(engine, "a");

		peer.session().close(CloseStatus.POLICY_VIOLATION);

		eventually().untilAsserted(() -> assertThat(listener.disconnects).containsExactly(CloseStatus.POLICY_VIOLATION));
		peer.connection().onClosed(CloseStatus.POLICY_VIOLATION);
		assertThat(listener.disconnects).hasSize(1);
	}

	@Test
	void sessionCanGreetItselfFromOnConnect() {
		NotifierListener greeter = new NotifierListener() {
			@Override
			public void onConnect(NotifierSession session) {
				session.send("welcome to " + session.group());
			}
		};
		NotifierEngine engine = engine(greeter);

		Peer peer = open(engine, "a");

		assertThat(peer.texts()).containsExactly("welcome to a");
	}

	@Test
	void listenerCanEchoFromOnTextMessage() {
		NotifierListener echo = new NotifierListener() {
			@Override
			public void onTextMessage(NotifierSession session, String message) {
				session.send("echo " + message);
			}
		};
		NotifierEngine engine = engine(echo);
		Peer peer = open(engine, "a");

		peer.connection().onText("ping", true);

		assertThat(peer.texts()).containsExactly("echo ping");
	}

	@Test
	void onMessageSentFiresForEachMessageWritten() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		open(engine, "a");
		open(engine, "a");

		engine.broadcast("a", "x");
		flush(engine);

		assertThat(listener.sent).hasSize(2).allSatisfy((message) -> assertThat(message.text()).isEqualTo("x"));
	}

	@Test
	void listenerThatThrowsIsReportedToOnErrorAndDoesNotBreakDelivery() {
		RuntimeException failure = new IllegalStateException("listener bug");
		AtomicInteger sentCalls = new AtomicInteger();
		NotifierListener throwing = new NotifierListener() {
			@Override
			public void onMessageSent(NotifierSession session, OutboundMessage message) {
				sentCalls.incrementAndGet();
				throw failure;
			}
		};
		RecordingListener recording = new RecordingListener();
		NotifierEngine engine = engine(throwing, recording);
		Peer held = openHeld(engine, "a");
		Peer inline = open(engine, "a");

		for (int i = 0; i < 3; i++) {
			engine.broadcast("a", "m" + i);
		}
		held.transport().completeAll();

		assertThat(held.texts()).containsExactly("m0", "m1", "m2");
		assertThat(inline.texts()).containsExactly("m0", "m1", "m2");
		assertThat(sentCalls).hasValue(6);
		assertThat(recording.sent).as("the next listener still hears every event").hasSize(6);
		assertThat(recording.errors).hasSize(6).allSatisfy((error) -> assertThat(error).isSameAs(failure));
		assertThat(held.session().isOpen()).isTrue();
		assertThat(inline.session().isOpen()).isTrue();
	}

	@Test
	void listenerThatThrowsOnConnectLeavesTheSessionOpen() {
		NotifierListener throwing = new NotifierListener() {
			@Override
			public void onConnect(NotifierSession session) {
				throw new IllegalStateException("cannot greet");
			}
		};
		RecordingListener recording = new RecordingListener();
		NotifierEngine engine = engine(throwing, recording);

		Peer peer = open(engine, "a");

		assertThat(peer.session().isOpen()).isTrue();
		assertThat(recording.events).containsExactlyInAnyOrder("connect a", "error a cannot greet");
		assertThat(engine.broadcast("a", "still works")).isEqualTo(1);
	}

	@Test
	void listenerThatThrowsOnTextMessageDoesNotStopTheNextMessages() {
		NotifierListener throwing = new NotifierListener() {
			@Override
			public void onTextMessage(NotifierSession session, String message) {
				throw new IllegalArgumentException("bad " + message);
			}
		};
		RecordingListener recording = new RecordingListener();
		NotifierEngine engine = engine(throwing, recording);
		Peer peer = open(engine, "a");

		peer.connection().onText("1", true);
		peer.connection().onText("2", true);

		assertThat(recording.texts).containsExactly("1", "2");
		assertThat(recording.errors).extracting(Throwable::getMessage).containsExactly("bad 1", "bad 2");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void listenerThatThrowsInOnErrorIsContained() {
		NotifierListener throwsEverywhere = new NotifierListener() {
			@Override
			public void onTextMessage(NotifierSession session, String message) {
				throw new IllegalStateException("first");
			}

			@Override
			public void onError(NotifierSession session, Throwable error) {
				throw new IllegalStateException("second");
			}
		};
		RecordingListener recording = new RecordingListener();
		NotifierEngine engine = engine(throwsEverywhere, recording);
		Peer peer = open(engine, "a");

		peer.connection().onText("x", true);

		assertThat(recording.texts).containsExactly("x");
		assertThat(recording.errors).extracting(Throwable::getMessage).containsExactly("first");
		assertThat(peer.session().isOpen()).isTrue();
	}

	@Test
	void listenerErrorsAreReportedOnlyToListenersOfThatGroup() {
		NotifierListener throwing = new NotifierListener() {
			@Override
			public void onTextMessage(NotifierSession session, String message) {
				throw new IllegalStateException("oops");
			}
		};
		RecordingListener sameGroup = new RecordingListener("a");
		RecordingListener otherGroup = new RecordingListener("b");
		NotifierEngine engine = engine(throwing, sameGroup, otherGroup);
		Peer peer = open(engine, "a");

		peer.connection().onText("x", true);

		assertThat(sameGroup.errors).hasSize(1);
		assertThat(otherGroup.errors).isEmpty();
	}

	@Test
	void listenersHearEventsInOrder() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		Peer peer = open(engine, "a");

		peer.connection().onText("hi", true);
		peer.connection().onBinary(ByteBuffer.wrap(new byte[] { 1 }), true);
		peer.connection().onPong(ByteBuffer.allocate(0));
		peer.session().close(CloseStatus.NORMAL);

		eventually().untilAsserted(() -> assertThat(listener.events).containsExactly("connect a", "text a hi",
				"binary a 1", "pong a", "disconnect a 1000"));
	}

	@Test
	void sessionClosedWhileListenersAreStillHearingOnConnectIsDisconnectedAfterwards() {
		RecordingTransport transport = new RecordingTransport(RecordingTransport.Mode.INLINE);
		NotifierListener refusing = new NotifierListener() {
			@Override
			public void onConnect(NotifierSession session) {
				transport.attach((Connection) session);
				session.close(CloseStatus.POLICY_VIOLATION);
				// A slow listener: the container has closed the connection before the next listener hears onConnect.
				eventually().until(() -> transport.closesReported() == 1);
			}
		};
		RecordingListener recording = new RecordingListener();
		NotifierEngine engine = engine(refusing, recording);

		Peer peer = open(engine, "a", transport);

		assertThat(peer.session().isOpen()).isFalse();
		assertThat(recording.events).containsExactly("connect a", "disconnect a 1008");
	}

	@Test
	void sessionRefusedAfterShutdownIsNotAnnouncedToListeners() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = engine(listener);
		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		Peer peer = open(engine, "a");

		peer.awaitClosedWith(1001);
		assertThat(listener.events).as("no onDisconnect for a session that never connected").isEmpty();
	}

}
