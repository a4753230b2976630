package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Occupancy changes reach the listener in order, alternating, never out of date, and on the occupancy thread, never
 * the caller's.
 */
class GroupOccupancyTest {

	/** The current incarnation of each occupied group. */
	private final Map<String, Long> occupied = new ConcurrentHashMap<>();

	private final AtomicLong incarnations = new AtomicLong();

	private final List<String> heard = new CopyOnWriteArrayList<>();

	private final Set<String> threads = ConcurrentHashMap.newKeySet();

	private final GroupOccupancy occupancy = new GroupOccupancy(this::incarnation, new GroupOccupancy.Listener() {

		@Override
		public void groupOccupied(String group) {
			GroupOccupancyTest.this.threads.add(Thread.currentThread().getName());
			GroupOccupancyTest.this.heard.add("occupied " + group);
		}

		@Override
		public void groupEmptied(String group) {
			GroupOccupancyTest.this.threads.add(Thread.currentThread().getName());
			GroupOccupancyTest.this.heard.add("emptied " + group);
		}

	});

	private long incarnation(String group) {
		return this.occupied.getOrDefault(group, 0L);
	}

	@AfterEach
	void stop() {
		this.occupancy.stop();
	}

	private void occupy(String group) {
		this.occupied.put(group, this.incarnations.incrementAndGet());
		this.occupancy.changed(group);
	}

	private void empty(String group) {
		this.occupied.remove(group);
		this.occupancy.changed(group);
	}

	@Test
	void changesAreHeardInOrderOnTheOccupancyThread() {
		occupy("a");
		EngineTestSupport.eventually().until(() -> this.heard.size() == 1);
		empty("a");
		EngineTestSupport.eventually().until(() -> this.heard.size() == 2);
		occupy("a");

		EngineTestSupport.eventually()
			.untilAsserted(() -> assertThat(this.heard).containsExactly("occupied a", "emptied a", "occupied a"));
		assertThat(this.threads).singleElement().asString().matches("notifier-groups-\\d+");
	}

	@Test
	void aListenerNeverHearsTheSameStateTwiceOrAStaleOne() throws Exception {
		CountDownLatch go = new CountDownLatch(1);
		Thread flapper = new Thread(() -> {
			try {
				go.await();
			}
			catch (InterruptedException ex) {
				return;
			}
			for (int i = 0; i < 10_000; i++) {
				occupy("a");
				empty("a");
			}
			occupy("a");
		});
		flapper.start();
		go.countDown();
		flapper.join(TimeUnit.SECONDS.toMillis(10));

		EngineTestSupport.eventually().until(() -> !this.heard.isEmpty() && this.heard.get(this.heard.size() - 1).equals("occupied a"));
		for (int i = 0; i < this.heard.size(); i++) {
			assertThat(this.heard.get(i)).isEqualTo((i % 2 == 0) ? "occupied a" : "emptied a");
		}
	}

	@Test
	void aGroupEmptiedAndOccupiedAgainBeforeTheThreadLooksIsHeardAsBoth() {
		occupy("a");
		EngineTestSupport.eventually().until(() -> this.heard.size() == 1);
		this.occupied.put("a", this.incarnations.incrementAndGet());
		this.occupancy.changed("a");

		EngineTestSupport.eventually()
			.untilAsserted(() -> assertThat(this.heard).containsExactly("occupied a", "emptied a", "occupied a"));
	}

	@Test
	void aFailingListenerDoesNotStopTheOthersChanges() {
		GroupOccupancy failing = new GroupOccupancy(this::incarnation, new GroupOccupancy.Listener() {

			@Override
			public void groupOccupied(String group) {
				if (group.equals("bad")) {
					throw new IllegalStateException("boom");
				}
				GroupOccupancyTest.this.heard.add("occupied " + group);
			}

			@Override
			public void groupEmptied(String group) {
			}

		});
		try {
			this.occupied.put("bad", 1L);
			failing.changed("bad");
			this.occupied.put("good", 2L);
			failing.changed("good");

			EngineTestSupport.eventually().untilAsserted(() -> assertThat(this.heard).containsExactly("occupied good"));
		}
		finally {
			failing.stop();
		}
	}

}
