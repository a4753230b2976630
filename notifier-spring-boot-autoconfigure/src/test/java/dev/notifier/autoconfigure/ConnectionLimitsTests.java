package dev.notifier.autoconfigure;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ConnectionLimits}: per-user and per-address places, each given back once. */
class ConnectionLimitsTests {

	private static final Principal ALICE = () -> "alice";

	private static final Principal BOB = () -> "bob";

	private static final InetSocketAddress HOME = new InetSocketAddress("127.0.0.1", 40001);

	private static final InetSocketAddress OFFICE = new InetSocketAddress("10.0.0.7", 40002);

	@Test
	void aUserGetsAtMostMaxPlaces() {
		ConnectionLimits limits = new ConnectionLimits(2, null);

		assertThat(limits.admit(ALICE, HOME).slot()).isNotNull();
		assertThat(limits.admit(ALICE, OFFICE).slot()).isNotNull();
		ConnectionLimits.Admission third = limits.admit(ALICE, HOME);

		assertThat(third.slot()).isNull();
		assertThat(third.refusal()).isEqualTo(HandshakeRefusals.Reason.TOO_MANY_USER_CONNECTIONS);
		assertThat(third.reason()).isEqualTo("too many connections for the user alice (at most 2)");
		assertThat(limits.admit(BOB, HOME).slot()).isNotNull();
	}

	@Test
	void anAddressGetsAtMostMaxPlacesWhoeverTheUser() {
		ConnectionLimits limits = new ConnectionLimits(null, 2);
		limits.admit(ALICE, HOME);
		limits.admit(null, new InetSocketAddress("127.0.0.1", 40003));

		ConnectionLimits.Admission third = limits.admit(BOB, HOME);

		assertThat(third.refusal()).isEqualTo(HandshakeRefusals.Reason.TOO_MANY_ADDRESS_CONNECTIONS);
		assertThat(third.reason()).isEqualTo("too many connections from 127.0.0.1 (at most 2)");
		assertThat(limits.admit(BOB, OFFICE).slot()).isNotNull();
	}

	@Test
	void anAnonymousHandshakeIsNotCountedForAnyUser() {
		ConnectionLimits limits = new ConnectionLimits(1, null);

		for (int i = 0; i < 5; i++) {
			assertThat(limits.admit(null, HOME).slot()).isNotNull();
		}
	}

	@Test
	void aReleasedPlaceCanBeTakenAgain() {
		ConnectionLimits limits = new ConnectionLimits(1, 1);
		ConnectionLimits.Slot slot = limits.admit(ALICE, HOME).slot();

		slot.release();

		assertThat(limits.admit(ALICE, HOME).slot()).isNotNull();
	}

	@Test
	void releasingTwiceGivesThePlaceBackOnce() {
		ConnectionLimits limits = new ConnectionLimits(1, null);
		ConnectionLimits.Slot slot = limits.admit(ALICE, HOME).slot();
		slot.release();
		assertThat(limits.admit(ALICE, HOME).slot()).isNotNull();

		slot.release();

		assertThat(limits.admit(ALICE, HOME).slot()).as("alice already holds her one place").isNull();
	}

	@Test
	void aRefusalByAddressGivesTheUsersPlaceBack() {
		ConnectionLimits limits = new ConnectionLimits(1, 1);
		limits.admit(BOB, HOME);

		assertThat(limits.admit(ALICE, HOME).refusal()).isEqualTo(HandshakeRefusals.Reason.TOO_MANY_ADDRESS_CONNECTIONS);

		assertThat(limits.admit(ALICE, OFFICE).slot()).isNotNull();
	}

	@Test
	void withoutLimitsEveryoneIsAdmitted() {
		ConnectionLimits limits = new ConnectionLimits(null, null);

		for (int i = 0; i < 100; i++) {
			assertThat(limits.admit(ALICE, HOME).slot()).isNotNull();
		}
	}

	@Test
	void concurrentHandshakesNeverTakeMoreThanTheLimit() throws Exception {
		ConnectionLimits limits = new ConnectionLimits(5, null);
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Boolean>> handshakes = IntStream.range(0, 64).<Callable<Boolean>>mapToObj((i) -> () -> {
				start.await();
				return limits.admit(ALICE, HOME).slot() != null;
			}).toList();
			List<Future<Boolean>> admitted = handshakes.stream().map(threads::submit).toList();
			start.countDown();

			long count = 0;
			for (Future<Boolean> future : admitted) {
				count += future.get() ? 1 : 0;
			}
			assertThat(count).isEqualTo(5);
		}
		finally {
			threads.shutdownNow();
		}
	}

}
