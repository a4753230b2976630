package dev.notifier.redis;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.NotifierCluster;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.StreamPosition;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ClusterNode} with sessions in a fixed set of groups and no workers (or only those it is given a lease for,
 * see {@link #leasingWorkersFrom}), recording what the cluster delivers and
 * closes and on which thread. {@link #holdFirstDelivery()} makes the first delivery wait until {@link #release()}, to
 * stand for a delivery that takes long.
 */
final class RecordingNode implements ClusterNode {

	private final Set<String> groups;

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final CountDownLatch firstDeliveryStarted = new CountDownLatch(1);

	private final CountDownLatch released = new CountDownLatch(1);

	private volatile boolean holdFirstDelivery;

	private final AtomicInteger startWorkerRequests = new AtomicInteger();

	/** The cluster to ask for a lease before starting a worker, as the engine does; {@code null} for none. */
	private volatile @Nullable NotifierCluster leasesFrom;

	private final Set<String> workers = ConcurrentHashMap.newKeySet();

	private volatile @Nullable RuntimeException failure;

	RecordingNode(String... groups) {
		this.groups = Set.of(groups);
	}

	/** The first delivery waits for {@link #release()}. */
	RecordingNode holdFirstDelivery() {
		this.holdFirstDelivery = true;
		return this;
	}

	/**
	 * Asks this cluster for the lease of a group's worker when asked to start it, as the engine does, and counts the
	 * worker as running here if it got the lease. Call before the cluster starts.
	 */
	RecordingNode leasingWorkersFrom(NotifierCluster cluster) {
		this.leasesFrom = cluster;
		return this;
	}

	/** Every delivery fails with this exception after being recorded. */
	RecordingNode failWith(RuntimeException failure) {
		this.failure = failure;
		return this;
	}

	/** Whether the first delivery has started, and is held if asked for. */
	boolean firstDeliveryStarted() {
		return this.firstDeliveryStarted.getCount() == 0;
	}

	void release() {
		this.released.countDown();
	}

	/** What was delivered and closed, in order. */
	List<Event> events() {
		return this.events;
	}

	/** The texts delivered, in order. */
	List<String> texts() {
		return this.events.stream().filter((event) -> event.text() != null).map(Event::text).toList();
	}

	@Override
	public int deliver(@Nullable String group, OutboundMessage message) {
		this.events.add(new Event(group, message.isText() ? message.text() : null, null,
				Thread.currentThread().getName()));
		boolean first = this.firstDeliveryStarted.getCount() > 0;
		this.firstDeliveryStarted.countDown();
		if (first && this.holdFirstDelivery) {
			await(this.released);
		}
		RuntimeException failure = this.failure;
		if (failure != null) {
			throw failure;
		}
		return 1;
	}

	@Override
	public void deliverRecorded(String group, StreamPosition position, OutboundMessage message,
			@Nullable String exceptSession) {
		deliver(group, message);
	}

	@Override
	public boolean keepsHistory(String group) {
		return false;
	}

	@Override
	public int close(@Nullable String group, CloseStatus status) {
		this.events.add(new Event(group, null, status, Thread.currentThread().getName()));
		return 1;
	}

	/** Recorded as a delivery to the group {@code user:<user>}. */
	@Override
	public int deliverToUser(String user, OutboundMessage message) {
		return deliver("user:" + user, message);
	}

	/** Recorded as a close of the group {@code user:<user>}. */
	@Override
	public int closeUser(String user, CloseStatus status) {
		return close("user:" + user, status);
	}

	@Override
	public void resendPresence() {
	}

	@Override
	public Set<String> groups() {
		return this.groups;
	}

	@Override
	public boolean hasSessions(String group) {
		return this.groups.contains(group);
	}

	@Override
	public boolean hasWorker(String group) {
		return this.workers.contains(group);
	}

	/**
	 * Counts the cluster's requests to start a worker once each is answered, so that a test that saw the count also
	 * sees what the request sent to Redis; starts none, unless it leases workers from a cluster and gets the group's
	 * lease.
	 */
	@Override
	public boolean startWorker(String group) {
		NotifierCluster cluster = this.leasesFrom;
		boolean started = cluster != null && !hasWorker(group) && cluster.acquireWorker(group);
		if (started) {
			this.workers.add(group);
		}
		this.startWorkerRequests.incrementAndGet();
		return started;
	}

	/** How often the cluster asked this node to start a worker. */
	int startWorkerRequests() {
		return this.startWorkerRequests.get();
	}

	@Override
	public boolean stopWorker(String group) {
		return this.workers.remove(group);
	}

	private static void await(CountDownLatch latch) {
		try {
			if (!latch.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("not released within 10 seconds");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * One delivery or close.
	 * @param group the group, or {@code null} for every group
	 * @param text the text delivered, or {@code null} for a binary message or a close
	 * @param close the close, or {@code null} for a delivery
	 * @param thread the name of the thread it ran on
	 */
	record Event(@Nullable String group, @Nullable String text, @Nullable CloseStatus close, String thread) {
	}

}
