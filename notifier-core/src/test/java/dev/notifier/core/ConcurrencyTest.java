package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.notifier.core.RecordingTransport.Mode;

/**
 * Several threads broadcasting while others open and close sessions and ping them: afterwards every session still
 * open has received every message broadcast after it joined, in the order each broadcaster sent them, and the counts
 * agree.
 */
class ConcurrencyTest extends EngineTestSupport {

	private static final String[] GROUPS = { "g0", "g1", "g2/x", "g3" };

	private static final int BROADCASTERS = 3;

	private static final int BROADCASTS_EACH = 1_500;

	private static final int CHURNERS = 2;

	/** Each churner opens at least this many sessions, and the broadcasters go on until they have. */
	private static final int MIN_CHURNS_EACH = 100;

	private static final int MAX_CHURNS_EACH = 400;

	/** A bound on each broadcaster, should the churners be starved of CPU. */
	private static final int MAX_BROADCASTS_EACH = 20_000;

	private final ExecutorService completions = Executors.newFixedThreadPool(2);

	private final ExecutorService workers = Executors.newCachedThreadPool();

	/** Numbers the broadcasts across all broadcasters; a session's join is placed on the same line. */
	private final AtomicLong broadcastCounter = new AtomicLong();

	/** The group of each broadcast, by number. */
	private final Map<Long, String> groupOfBroadcast = new ConcurrentHashMap<>();

	private final List<Member> members = Collections.synchronizedList(new ArrayList<>());

	private final LongAdder queuedByBroadcasts = new LongAdder();

	private final AtomicBoolean broadcastsDone = new AtomicBoolean();

	private final AtomicInteger churns = new AtomicInteger();

	/**
	 * A session of the test.
	 * @param joinedAfter the last broadcast number taken before {@code open} returned: every later one to its group
	 * is owed
	 */
	private record Member(Peer peer, long joinedAfter, AtomicBoolean closedByTest) {
	}

	@AfterEach
	void stopThreads() {
		this.workers.shutdownNow();
		this.completions.shutdownNow();
	}

	private RecordingTransport transport() {
		return ThreadLocalRandom.current().nextBoolean() ? new RecordingTransport(Mode.INLINE)
				: new RecordingTransport(Mode.ASYNC, this.completions);
	}

	private Member join(NotifierEngine engine, String group) {
		Peer peer = open(engine, group, transport());
		Member member = new Member(peer, this.broadcastCounter.get(), new AtomicBoolean());
		this.members.add(member);
		return member;
	}

	@Test
	@Timeout(20)
	void everyOpenSessionReceivesEveryMessageBroadcastAfterItJoined() throws Exception {
		NotifierEngine engine = engineWithWriterThreads(options().maxQueuedMessages(1_000_000).maxQueuedBytes(Long.MAX_VALUE));
		for (int i = 0; i < 20; i++) {
			join(engine, GROUPS[i % GROUPS.length]);
		}
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> broadcasters = new ArrayList<>();
		List<Future<?>> others = new ArrayList<>();
		for (int t = 0; t < BROADCASTERS; t++) {
			int thread = t;
			broadcasters.add(this.workers.submit(() -> broadcast(engine, thread, start)));
		}
		for (int t = 0; t < CHURNERS; t++) {
			others.add(this.workers.submit(() -> churn(engine, start)));
		}
		others.add(this.workers.submit(() -> ping(start)));
		others.add(this.workers.submit(() -> readCounts(engine, start)));

		start.countDown();
		for (Future<?> future : broadcasters) {
			future.get(15, TimeUnit.SECONDS);
		}
		this.broadcastsDone.set(true);
		for (Future<?> future : others) {
			future.get(15, TimeUnit.SECONDS);
		}

		eventually().untilAsserted(() -> assertThat(engine.statistics().messagesSent())
			.as("every message queued by a broadcast is written, closing sessions included")
			.isEqualTo(this.queuedByBroadcasts.sum()));
		List<Member> all = List.copyOf(this.members);
		List<Member> open = all.stream().filter((member) -> !member.closedByTest().get()).toList();
		List<Member> closed = all.stream().filter((member) -> member.closedByTest().get()).toList();
		assertThat(open).hasSizeGreaterThanOrEqualTo(20);
		assertThat(closed).isNotEmpty();

		eventually().untilAsserted(() -> assertThat(closed)
			.allSatisfy((member) -> assertThat(member.peer().transport().isClosed()).isTrue()));

		List<String> problems = new ArrayList<>();
		for (Member member : all) {
			RecordingTransport transport = member.peer().transport();
			NotifierSession session = member.peer().session();
			List<String> texts = transport.texts();
			List<Long> numbers = texts.stream().map((text) -> Long.parseLong(text.split(":")[0])).toList();
			Set<Long> received = new HashSet<>(numbers);
			if (received.size() != numbers.size()) {
				problems.add(session + " received a message twice");
			}
			for (long number : numbers) {
				if (!session.group().equals(this.groupOfBroadcast.get(number))) {
					problems.add(session + " received " + number + " of another group");
				}
			}
			problems.addAll(outOfOrder(session, texts));
			if (transport.overlappingSends() != 0) {
				problems.add(session + " had overlapping sends");
			}
			if (session.sentMessages() != numbers.size()) {
				problems.add(session + " counted " + session.sentMessages() + " sent but wrote " + numbers.size());
			}
			if (member.closedByTest().get()) {
				List<RecordingTransport.Event> events = transport.events();
				if (!transport.closes().equals(List.of(CloseStatus.NORMAL))
						|| !events.get(events.size() - 1).equals(new RecordingTransport.Close(CloseStatus.NORMAL))) {
					problems.add(session + " was not closed once, after its last message: " + transport.closes());
				}
			}
			else {
				if (!session.isOpen()) {
					problems.add(session + " is not open");
				}
				for (long owed : owedTo(member)) {
					if (!received.contains(owed)) {
						problems.add(session + " joined after " + member.joinedAfter() + " but missed " + owed);
					}
				}
			}
		}
		assertThat(problems).isEmpty();

		long written = all.stream().mapToLong((member) -> member.peer().transport().messages()).sum();
		assertThat(engine.statistics().messagesSent()).isEqualTo(written).isEqualTo(this.queuedByBroadcasts.sum());
		for (OverflowPolicy policy : OverflowPolicy.values()) {
			assertThat(engine.statistics().messagesDropped(policy)).isZero();
		}
		assertThat(engine.sessionCount()).isEqualTo(open.size());
		Map<String, Long> openByGroup = open.stream()
			.collect(Collectors.groupingBy((member) -> member.peer().session().group(), Collectors.counting()));
		assertThat(engine.groups()).isEqualTo(openByGroup.keySet());
		for (String group : GROUPS) {
			assertThat((long) engine.sessionCount(group)).isEqualTo(openByGroup.getOrDefault(group, 0L));
			assertThat(Set.copyOf(engine.sessions(group))).isEqualTo(open.stream()
				.map((member) -> member.peer().session())
				.filter((session) -> session.group().equals(group))
				.collect(Collectors.toSet()));
		}
	}

	private void broadcast(NotifierEngine engine, int thread, CountDownLatch start) {
		await(start);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int seq = 0; seq < MAX_BROADCASTS_EACH
				&& (seq < BROADCASTS_EACH || this.churns.get() < CHURNERS * MIN_CHURNS_EACH); seq++) {
			String group = GROUPS[random.nextInt(GROUPS.length)];
			long number = this.broadcastCounter.incrementAndGet();
			this.groupOfBroadcast.put(number, group);
			this.queuedByBroadcasts.add(engine.broadcast(group, number + ":" + thread + ":" + seq));
		}
	}

	private void churn(NotifierEngine engine, CountDownLatch start) {
		await(start);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		List<Member> mine = new ArrayList<>();
		for (int i = 0; i < MAX_CHURNS_EACH && (i < MIN_CHURNS_EACH || !this.broadcastsDone.get()); i++) {
			mine.add(join(engine, GROUPS[random.nextInt(GROUPS.length)]));
			this.churns.incrementAndGet();
			if (mine.size() > 6 || random.nextInt(3) == 0) {
				Member leaving = mine.remove(random.nextInt(mine.size()));
				leaving.closedByTest().set(true);
				leaving.peer().session().close(CloseStatus.NORMAL);
			}
		}
	}

	private void ping(CountDownLatch start) {
		await(start);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (!this.broadcastsDone.get()) {
			Member member;
			synchronized (this.members) {
				member = this.members.get(random.nextInt(this.members.size()));
			}
			((DefaultNotifierSession) member.peer().session()).ping();
		}
	}

	private void readCounts(NotifierEngine engine, CountDownLatch start) {
		await(start);
		while (!this.broadcastsDone.get()) {
			int total = engine.sessionCount();
			assertThat(total).isNotNegative();
			for (String group : engine.groups()) {
				assertThat(engine.sessions(group)).allSatisfy((session) -> assertThat(session.group()).isEqualTo(group));
			}
		}
	}

	/**
	 * The broadcasts to the member's group that started after it joined. One that took its number just before the
	 * join may reach it too, which is fine.
	 */
	private List<Long> owedTo(Member member) {
		String group = member.peer().session().group();
		List<Long> expected = new ArrayList<>();
		for (long number = member.joinedAfter() + 1; number <= this.broadcastCounter.get(); number++) {
			if (group.equals(this.groupOfBroadcast.get(number))) {
				expected.add(number);
			}
		}
		return expected;
	}

	/** Messages of one broadcasting thread arrive in the order it broadcast them. */
	private static List<String> outOfOrder(NotifierSession session, List<String> texts) {
		List<String> problems = new ArrayList<>();
		Map<String, Integer> lastSeq = new HashMap<>();
		for (String text : texts) {
			String[] parts = text.split(":");
			int seq = Integer.parseInt(parts[2]);
			Integer previous = lastSeq.put(parts[1], seq);
			if (previous != null && previous >= seq) {
				problems.add(session + " received " + seq + " after " + previous + " from broadcaster " + parts[1]);
			}
		}
		return problems;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
