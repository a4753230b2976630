package dev.notifier.autoconfigure.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierSession;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Every broadcast verb of the injected {@link dev.notifier.core.GroupNotifier}, through a real server to real
 * clients: who receives the message, as which kind of frame, and the count each verb returns.
 *
 * <p>As in {@link GroupIsolationTests}, a client that must not receive a message gets a marker afterwards: once the
 * marker has arrived, the message would have arrived before it.
 */
@SpringBootTest(classes = NotifierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class BroadcastTests extends ContainerTestSupport {

	@Test
	void broadcastReturnsTheNumberOfSessionsOfTheGroup() {
		TestClient first = join("news");
		TestClient second = join("news");
		TestClient third = join("news");

		assertThat(this.notifier.broadcast("news", "extra")).isEqualTo(3);

		for (TestClient client : List.of(first, second, third)) {
			assertThat(client.awaitMessages(1)).containsExactly("extra");
		}
	}

	@Test
	void broadcastAllReachesEveryGroup() {
		TestClient tasks = join("tasks/1");
		TestClient otherTasks = join("tasks/2");
		TestClient chat = join("chat/lobby");
		TestClient root = join("x");

		assertThat(this.notifier.broadcastAll("to everyone")).isEqualTo(4);

		for (TestClient client : List.of(tasks, otherTasks, chat, root)) {
			assertThat(client.awaitMessages(1)).containsExactly("to everyone");
		}
	}

	@Test
	void broadcastFilterReachesTheSessionsThatPass() {
		TestClient admin = join("board?role=admin");
		TestClient user = join("board?role=user");
		TestClient anonymous = join("board");
		TestClient otherAdmin = join("elsewhere?role=admin");

		int queued = this.notifier.broadcastFilter("board", "admins only",
				(session) -> List.of("admin").equals(session.queryParameters().get("role")));
		this.notifier.broadcast("board", "marker");
		this.notifier.broadcast("elsewhere", "marker");

		assertThat(queued).isEqualTo(1);
		assertThat(admin.awaitMessages(2)).containsExactly("admins only", "marker");
		assertThat(user.awaitMessages(1)).containsExactly("marker");
		assertThat(anonymous.awaitMessages(1)).containsExactly("marker");
		assertThat(otherAdmin.awaitMessages(1)).containsExactly("marker");
	}

	@Test
	void broadcastOthersLeavesOutTheSender() {
		TestClient alice = join("room?name=alice");
		TestClient bob = join("room?name=bob");
		TestClient carol = join("room?name=carol");
		TestClient elsewhere = join("hall?name=dave");

		int queued = this.notifier.broadcastOthers(session("room", "alice"), "alice says hi");
		this.notifier.broadcastAll("marker");

		assertThat(queued).isEqualTo(2);
		assertThat(alice.awaitMessages(1)).containsExactly("marker");
		assertThat(bob.awaitMessages(2)).containsExactly("alice says hi", "marker");
		assertThat(carol.awaitMessages(2)).containsExactly("alice says hi", "marker");
		assertThat(elsewhere.awaitMessages(1)).containsExactly("marker");
	}

	@Test
	void broadcastMultipleReachesTheGivenSessionsWhateverTheirGroups() {
		TestClient first = join("a?name=first");
		TestClient second = join("b/c?name=second");
		TestClient left = join("a?name=left");

		List<NotifierSession> chosen = List.of(session("a", "first"), session("b/c", "second"));
		int queued = this.notifier.broadcastMultiple(chosen, "chosen ones");
		this.notifier.broadcastAll("marker");

		assertThat(queued).isEqualTo(2);
		assertThat(first.awaitMessages(2)).containsExactly("chosen ones", "marker");
		assertThat(second.awaitMessages(2)).containsExactly("chosen ones", "marker");
		assertThat(left.awaitMessages(1)).containsExactly("marker");
	}

	@Test
	void broadcastMultipleSkipsClosedSessions() {
		TestClient open = join("a?name=open");
		TestClient gone = join("a?name=gone");
		List<NotifierSession> both = List.of(session("a", "open"), session("a", "gone"));

		gone.close();
		awaitSessions("a", 1);

		assertThat(this.notifier.broadcastMultiple(both, "still here")).isEqualTo(1);
		assertThat(open.awaitMessages(1)).containsExactly("still here");
	}

	@Test
	void bytesArriveAsABinaryFrame() {
		TestClient first = join("files");
		TestClient second = join("files");
		byte[] data = { 0, 1, 2, (byte) 0xFF, (byte) 0x80, 'h', 'i' };

		assertThat(this.notifier.broadcast("files", data)).isEqualTo(2);
		data[0] = 42;

		for (TestClient client : List.of(first, second)) {
			assertThat(client.awaitMessages(1)).singleElement()
				.isInstanceOf(byte[].class)
				.isEqualTo(new byte[] { 0, 1, 2, (byte) 0xFF, (byte) 0x80, 'h', 'i' });
		}
	}

	@Test
	void byteBufferArrivesAsABinaryFrameOfItsRemainingBytes() {
		TestClient client = join("files");
		ByteBuffer buffer = ByteBuffer.wrap("skip:payload".getBytes(StandardCharsets.US_ASCII));
		buffer.position(5);

		assertThat(this.notifier.broadcast("files", buffer)).isEqualTo(1);
		this.notifier.broadcast("files", "after");

		List<Object> messages = client.awaitMessages(2);
		assertThat(messages.get(0)).isEqualTo("payload".getBytes(StandardCharsets.US_ASCII));
		assertThat(messages.get(1)).isEqualTo("after");
	}

	@Test
	void textAndBinaryKeepTheirOrder() {
		TestClient client = join("mixed");

		this.notifier.broadcast("mixed", "one");
		this.notifier.broadcast("mixed", new byte[] { 2 });
		this.notifier.broadcast("mixed", "three");
		this.notifier.broadcast("mixed", new byte[] { 4 });

		List<Object> messages = client.awaitMessages(4);
		assertThat(messages).hasSize(4);
		assertThat(messages.get(0)).isEqualTo("one");
		assertThat(messages.get(1)).isEqualTo(new byte[] { 2 });
		assertThat(messages.get(2)).isEqualTo("three");
		assertThat(messages.get(3)).isEqualTo(new byte[] { 4 });
	}

	@Test
	void nonAsciiTextArrivesIntact() {
		TestClient client = join("i18n");
		String text = "héllo wörld – 你好 – 😀";

		this.notifier.broadcast("i18n", text);

		assertThat(client.awaitMessages(1)).containsExactly(text);
	}

	@Test
	void anObjectIsSentAsJsonByTheAutoConfiguredEncoder() {
		TestClient client = join("orders");

		this.notifier.broadcast("orders", new Order(7, "shipped"));

		assertThat(client.awaitTexts(1)).singleElement().satisfies((json) -> {
			assertThat(json).contains("\"id\":7").contains("\"status\":\"shipped\"");
		});
	}

	@Test
	void aSessionSendsToItsOwnClient() {
		TestClient alice = join("room?name=alice");
		TestClient bob = join("room?name=bob");

		assertThat(session("room", "bob").send("just for bob")).isTrue();
		this.notifier.broadcast("room", "marker");

		assertThat(alice.awaitMessages(1)).containsExactly("marker");
		assertThat(bob.awaitMessages(2)).containsExactly("just for bob", "marker");
	}

	@Test
	void closingAGroupClosesItsClientsWithTheStatus() {
		TestClient first = join("done");
		TestClient second = join("done");
		TestClient other = join("running");

		assertThat(this.notifier.close("done", new CloseStatus(4000, "finished"))).isEqualTo(2);

		assertThat(first.awaitClose()).isEqualTo(new TestClient.Closure(4000, "finished"));
		assertThat(second.awaitClose()).isEqualTo(new TestClient.Closure(4000, "finished"));
		assertThat(this.notifier.sessionCount("done")).isZero();
		assertThat(this.notifier.broadcast("running", "still open")).isEqualTo(1);
		assertThat(other.awaitMessages(1)).containsExactly("still open");
	}

	@Test
	void anInvalidGroupIsRefusedByTheBroadcast() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.notifier.broadcast("a/../b", "x"))
			.withMessageContaining("'..' segment");
		assertThatIllegalArgumentException().isThrownBy(() -> this.notifier.broadcast("", "x"));
	}

	record Order(int id, String status) {
	}

}
