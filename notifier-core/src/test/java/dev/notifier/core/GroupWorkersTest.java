package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import dev.notifier.core.EngineTestSupport.Peer;

/**
 * Group workers on a real engine: real scheduler threads and short durations, outcomes awaited, never slept on.
 */
class GroupWorkersTest {

	private static final Duration IDLE = Duration.ofMillis(100);

	private static final Duration GRACE = Duration.ofMillis(200);

	private final List<NotifierEngine> engines = new ArrayList<>();

	private final ErrorLog errors = new ErrorLog();

	@BeforeEach
	void recordErrors() {
		this.errors.start();
		ErrorLog.engineLogger().addAppender(this.errors);
	}

	@AfterEach
	void shutDownEngines() {
		this.engines.forEach((engine) -> engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO));
		ErrorLog.engineLogger().detachAppender(this.errors);
	}

	private NotifierEngine engine(WorkerOptions options, GroupWorkerFactory... factories) {
		return start(builder(options, factories));
	}

	private NotifierEngine engine(GroupWorkerFactory... factories) {
		return engine(options(Duration.ofHours(1), 4), factories);
	}

	private NotifierEngine start(NotifierEngine.Builder builder) {
		NotifierEngine engine = builder.build();
		engine.start();
		this.engines.add(engine);
		return engine;
	}

	private static NotifierEngine.Builder builder(WorkerOptions options, GroupWorkerFactory... factories) {
		return NotifierEngine.builder(NotifierOptions.builder().build()).workers(() -> List.of(factories), options);
	}

	private static NotifierEngine.Builder builder(GroupWorkerFactory... factories) {
		return builder(options(Duration.ofHours(1), 4), factories);
	}

	private static WorkerOptions options(Duration maxLifetime, int maxBlocking) {
		return new WorkerOptions(IDLE, maxLifetime, GRACE, maxBlocking, NotifierThreads.named("test-worker"));
	}

	private static Peer join(NotifierEngine engine, String group) {
		return EngineTestSupport.open(engine, group);
	}

	@Test
	void workerStartsWhenTheFirstSessionJoinsAMatchingGroup() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofMillis(20)));
		NotifierEngine engine = engine(ticker);

		Peer viewer = join(engine, "ticker/eur");

		EngineTestSupport.eventually()
			.untilAsserted(() -> assertThat(engine.worker("ticker/eur")).hasValueSatisfying((info) -> {
				assertThat(info.state()).isEqualTo(WorkerInfo.State.RUNNING);
				assertThat(info.factory()).isEqualTo(CountingFactory.class.getName());
			}));
		EngineTestSupport.eventually().until(() -> viewer.texts().size() >= 3);
		assertThat(viewer.texts()).startsWith("tick ticker/eur 1", "tick ticker/eur 2", "tick ticker/eur 3");
	}

	@Test
	void groupThatNoFactoryServesHasNoWorker() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofMillis(20)));
		NotifierEngine engine = engine(ticker);

		join(engine, "tasks/1");
		join(engine, "ticker");

		assertThat(engine.workers()).isEmpty();
		assertThat(engine.startWorker("tasks/1")).isFalse();
		assertThat(ticker.created).hasValue(0);
	}

	@Test
	void firstMatchingFactoryServesTheGroup() {
		CountingFactory specific = new CountingFactory("ticker/eur", (group) -> tick(Duration.ofHours(1)));
		CountingFactory general = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(specific, general);

		join(engine, "ticker/eur");
		join(engine, "ticker/usd");

		EngineTestSupport.eventually().until(() -> engine.workers().size() == 2);
		assertThat(specific.created).hasValue(1);
		assertThat(general.created).hasValue(1);
	}

	@Test
	void fiftyConcurrentJoinsAndStartsRunOneWorker() throws Exception {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);
		CyclicBarrier barrier = new CyclicBarrier(50);
		ExecutorService threads = Executors.newFixedThreadPool(50);
		try {
			List<Future<?>> joins = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				joins.add(threads.submit(() -> {
					barrier.await();
					engine.startWorker("ticker/eur");
					return join(engine, "ticker/eur");
				}));
			}
			for (Future<?> join : joins) {
				join.get(10, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}

		assertThat(engine.sessionCount("ticker/eur")).isEqualTo(50);
		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isPresent());
		assertThat(ticker.created).hasValue(1);
		assertThat(engine.workers()).singleElement().extracting(WorkerInfo::group).isEqualTo("ticker/eur");
	}

	@Test
	void workerStopsOnceTheGroupHasBeenEmptyForTheIdleTimeout() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);
		Peer first = join(engine, "ticker/eur");
		Peer second = join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isPresent());

		first.session().close(CloseStatus.NORMAL);
		assertThat(engine.worker("ticker/eur")).as("one viewer is left").isPresent();
		second.session().close(CloseStatus.NORMAL);

		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isEmpty());
	}

	@Test
	void viewerReturningWithinTheIdleTimeoutKeepsTheWorker() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);
		join(engine, "ticker/eur").session().close(CloseStatus.NORMAL);

		join(engine, "ticker/eur");

		EngineTestSupport.eventually()
			.during(IDLE.multipliedBy(3))
			.atMost(Duration.ofSeconds(5))
			.until(() -> engine.worker("ticker/eur").isPresent());
		assertThat(ticker.created).hasValue(1);
	}

	@Test
	void theIdleTimeoutCountsFromTheLastTimeTheGroupEmptied() {
		// The returning viewer stays for three ticks, about half the idle timeout, so the idle check of the first
		// emptying, had it survived, would stop the worker about half an idle timeout after the second one.
		Duration idle = Duration.ofMillis(600);
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(idle.dividedBy(6)));
		NotifierEngine engine = engine(new WorkerOptions(idle, Duration.ofHours(1), GRACE, 4,
				NotifierThreads.named("test-worker")), ticker);
		join(engine, "ticker/eur").session().close(CloseStatus.NORMAL);
		Peer returning = join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> returning.texts().size() >= 3);

		long emptied = System.nanoTime();
		returning.session().close(CloseStatus.NORMAL);

		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - emptied)).isGreaterThanOrEqualTo(idle);
		assertThat(ticker.created).hasValue(1);
	}

	@Test
	void workerStartedExplicitlyRunsUntilTheIdleTimeoutPassesWithNobodyJoining() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);

		assertThat(engine.startWorker("ticker/eur")).isTrue();
		assertThat(engine.startWorker("ticker/eur")).as("idempotent while it runs").isFalse();

		assertThat(engine.worker("ticker/eur")).isPresent();
		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isEmpty());
		assertThat(ticker.created).hasValue(1);
	}

	@Test
	void workerStartedWithAKeepAliveOutlivesTheIdleTimeoutWithNobodyJoining() {
		Duration keepAlive = IDLE.multipliedBy(5);
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);
		long started = System.nanoTime();

		assertThat(engine.startWorker("ticker/eur", keepAlive)).isTrue();

		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(keepAlive);
		assertThat(ticker.created).hasValue(1);
	}

	@Test
	void viewerLeavingWithinTheKeepAliveDoesNotCutItShort() {
		Duration keepAlive = IDLE.multipliedBy(5);
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1))));
		long started = System.nanoTime();
		engine.startWorker("ticker/eur", keepAlive);

		join(engine, "ticker/eur").session().close(CloseStatus.NORMAL);

		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(keepAlive);
	}

	@Test
	void startWithAKeepAliveWhileTheWorkerRunsDoesNothing() {
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		NotifierEngine engine = engine(ticker);
		join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isPresent());

		assertThat(engine.startWorker("ticker/eur", Duration.ofMinutes(1))).isFalse();
		assertThat(ticker.created).hasValue(1);
	}

	@Test
	void negativeKeepAliveIsRefused() {
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1))));

		assertThatIllegalArgumentException().isThrownBy(() -> engine.startWorker("ticker/eur", Duration.ofSeconds(-1)))
			.withMessage("The keep-alive of a worker must not be negative: PT-1S");
		assertThat(engine.workers()).isEmpty();
	}

	@Test
	void periodicWorkersTickOnTheNamedTickThreads() {
		AtomicReference<String> thread = new AtomicReference<>();
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> GroupWorker
			.periodic(Duration.ofMillis(10), (context) -> thread.compareAndSet(null, Thread.currentThread().getName()))));

		engine.startWorker("ticker/eur");

		EngineTestSupport.eventually().until(() -> thread.get() != null);
		assertThat(thread.get()).matches("notifier-worker-tick-\\d+");
	}

	@Test
	void blockingWorkersRunOnTheThreadsOfTheWorkerOptions() {
		AtomicReference<String> thread = new AtomicReference<>();
		WorkerOptions defaults = WorkerOptions.defaults();
		NotifierEngine engine = engine(defaults, new CountingFactory("tasks/*",
				(group) -> GroupWorker.blocking((context) -> thread.set(Thread.currentThread().getName()))));

		engine.startWorker("tasks/1");

		EngineTestSupport.eventually().until(() -> thread.get() != null);
		assertThat(thread.get()).matches("notifier-worker-\\d+");
	}

	@Test
	void viewerJoiningAWorkerStartedAheadKeepsIt() {
		List<String> lines = List.of("line 1", "line 2");
		CountDownLatch release = new CountDownLatch(1);
		// An idle timeout far longer than a join takes, even on a loaded machine: the viewer must arrive within it.
		WorkerOptions patient = new WorkerOptions(Duration.ofSeconds(5), Duration.ofHours(1), GRACE, 4,
				NotifierThreads.named("test-worker"));
		NotifierEngine engine = engine(patient, new CountingFactory("tasks/*",
				(group) -> GroupWorker.blocking((context) -> {
					release.await();
					lines.forEach(context::broadcast);
				})));
		engine.startWorker("tasks/7");

		Peer viewer = join(engine, "tasks/7");
		release.countDown();

		viewer.awaitClosedWith(1000);
		assertThat(viewer.texts()).containsExactly("line 1", "line 2");
	}

	@Test
	void workerReachingItsMaxLifetimeIsStoppedAndItsViewersAskedToReconnect() {
		NotifierEngine engine = engine(options(Duration.ofMillis(150), 4),
				new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1))));
		Peer viewer = join(engine, "ticker/eur");

		viewer.awaitClosedWith(1001);
		assertThat(viewer.transport().closeStatus().reason()).isEqualTo("worker lifetime reached");
		assertThat(engine.workers()).isEmpty();
	}

	@Test
	void factoryMaxLifetimeOverridesTheEngineDefault() {
		CountingFactory shortLived = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		shortLived.maxLifetime = Duration.ofMillis(100);
		NotifierEngine engine = engine(shortLived);
		Peer viewer = join(engine, "ticker/eur");

		viewer.awaitClosedWith(1001);
	}

	@Test
	void factoryWithANonPositiveMaxLifetimeFailsTheStart() {
		CountingFactory broken = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		broken.maxLifetime = Duration.ZERO;
		NotifierEngine engine = NotifierEngine.builder(NotifierOptions.builder().build())
			.workers(() -> List.of(broken), options(Duration.ofHours(1), 4))
			.build();

		assertThatIllegalArgumentException().isThrownBy(engine::start)
			.withMessage("The max lifetime of worker factory " + CountingFactory.class.getName()
					+ " must be positive: PT0S");
	}

	@Test
	void workerEndingByItselfClosesItsGroupWith1000AfterWhatItBroadcast() {
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> {
			context.broadcast("started");
			context.broadcast("task finished");
		})));
		Peer first = join(engine, "tasks/42");

		first.awaitClosedWith(1000);
		assertThat(first.transport().closeStatus().reason()).isEqualTo("worker finished");
		assertThat(first.texts()).endsWith("task finished");
		EngineTestSupport.eventually().until(() -> engine.workers().isEmpty());
	}

	@Test
	void periodicWorkerFinishingClosesItsGroupWith1000() {
		NotifierEngine engine = engine(new CountingFactory("countdown/*", (group) -> {
			AtomicInteger left = new AtomicInteger(3);
			return GroupWorker.periodic(Duration.ofMillis(10), (context) -> {
				context.broadcast("left " + left.decrementAndGet());
				if (left.get() == 0) {
					context.finish();
				}
			});
		}));
		Peer viewer = join(engine, "countdown/a");

		viewer.awaitClosedWith(1000);
		assertThat(viewer.texts()).containsExactly("left 2", "left 1", "left 0");
	}

	@Test
	void failingBlockingWorkerClosesItsGroupWith1011() {
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> {
			throw new IllegalStateException("log source is gone");
		})));
		Peer viewer = join(engine, "tasks/1");

		viewer.awaitClosedWith(1011);
		assertThat(viewer.transport().closeStatus().reason()).isEqualTo("worker failed");
	}

	@Test
	void failingTickClosesItsGroupWith1011AndTicksNoMore() {
		AtomicInteger ticks = new AtomicInteger();
		NotifierEngine engine = engine(new CountingFactory("ticker/*",
				(group) -> GroupWorker.periodic(Duration.ofMillis(10), (context) -> {
					ticks.incrementAndGet();
					throw new IllegalStateException("quote feed down");
				})));
		Peer viewer = join(engine, "ticker/eur");

		viewer.awaitClosedWith(1011);
		EngineTestSupport.eventually().during(Duration.ofMillis(100)).until(() -> ticks.get() == 1);
	}

	@Test
	void viewerJoiningAfterAWorkerEndedStartsANewOne() {
		CountingFactory tasks = new CountingFactory("tasks/*",
				(group) -> GroupWorker.blocking((context) -> context.broadcast("whole log")));
		NotifierEngine engine = engine(tasks);
		join(engine, "tasks/1").awaitClosedWith(1000);
		EngineTestSupport.eventually().until(() -> engine.sessionCount("tasks/1") == 0);

		Peer late = join(engine, "tasks/1");

		late.awaitClosedWith(1000);
		assertThat(late.texts()).containsExactly("whole log");
		assertThat(tasks.created).hasValue(2);
	}

	@Test
	void stoppingWorkerThatIgnoresTheFlagIsInterruptedAfterTheGrace() {
		AtomicBoolean interrupted = new AtomicBoolean();
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> {
			try {
				Thread.sleep(Duration.ofHours(1).toMillis());
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		})));
		Peer viewer = join(engine, "tasks/1");
		EngineTestSupport.eventually().until(() -> engine.worker("tasks/1").isPresent());

		assertThat(engine.stopWorker("tasks/1")).isTrue();

		assertThat(engine.worker("tasks/1")).hasValueSatisfying(
				(info) -> assertThat(info.state()).isEqualTo(WorkerInfo.State.STOPPING));
		EngineTestSupport.eventually().until(interrupted::get);
		EngineTestSupport.eventually().until(() -> engine.worker("tasks/1").isEmpty());
		assertThat(engine.statistics().workersInterrupted()).isEqualTo(1);
		assertThat(viewer.session().isOpen()).as("a requested stop leaves the viewers connected").isTrue();
	}

	@Test
	void workerWatchingTheFlagStopsWithinTheGraceWithoutAnInterrupt() {
		AtomicBoolean interrupted = new AtomicBoolean();
		AtomicBoolean sawStop = new AtomicBoolean();
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> {
			try {
				sawStop.set(context.awaitStop(Duration.ofHours(1)));
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		})));
		join(engine, "tasks/1");
		EngineTestSupport.eventually().until(() -> engine.worker("tasks/1").isPresent());

		engine.stopWorker("tasks/1");

		EngineTestSupport.eventually().until(() -> engine.worker("tasks/1").isEmpty());
		assertThat(sawStop).isTrue();
		assertThat(interrupted).isFalse();
	}

	@Test
	void blockingWorkersBeyondTheBoundFailToStartAndTheirViewersAreAskedToRetry() {
		CountDownLatch hold = new CountDownLatch(1);
		NotifierEngine engine = engine(options(Duration.ofHours(1), 1),
				new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> hold.await())));
		join(engine, "tasks/1");
		EngineTestSupport.eventually().until(() -> engine.worker("tasks/1").isPresent());

		Peer second = join(engine, "tasks/2");

		second.awaitClosedWith(1013);
		assertThat(engine.workers()).extracting(WorkerInfo::group).containsExactly("tasks/1");
		hold.countDown();
	}

	@Test
	void factoryDecliningAGroupRunsNoWorker() {
		CountingFactory declining = new CountingFactory("tasks/*", (group) -> null);
		NotifierEngine engine = engine(declining);

		Peer viewer = join(engine, "tasks/1");

		EngineTestSupport.eventually().until(() -> declining.created.get() == 1);
		assertThat(engine.workers()).isEmpty();
		assertThat(viewer.session().isOpen()).isTrue();
	}

	@Test
	void factoryThatThrowsClosesTheGroupWith1011AndTheSessionThatJustJoinedHearsItsDisconnect() {
		RecordingListener listener = new RecordingListener();
		NotifierEngine engine = start(builder(new CountingFactory("tasks/*", (group) -> {
			throw new IllegalArgumentException("no such task");
		})).listeners(() -> List.of(listener)));

		Peer viewer = join(engine, "tasks/1");

		viewer.awaitClosedWith(1011);
		assertThat(viewer.transport().closeStatus().reason()).isEqualTo("worker failed");
		EngineTestSupport.eventually().until(() -> listener.events.size() == 2);
		assertThat(listener.events).containsExactly("connect tasks/1", "disconnect tasks/1 1011");
		assertThat(engine.workers()).isEmpty();
	}

	@Test
	void factoryThatThrowsIsAskedAgainByTheNextViewer() {
		CountingFactory failing = new CountingFactory("tasks/*", (group) -> {
			throw new IllegalArgumentException("no such task");
		});
		NotifierEngine engine = engine(failing);
		join(engine, "tasks/1").awaitClosedWith(1011);

		join(engine, "tasks/1").awaitClosedWith(1011);

		assertThat(failing.created).hasValue(2);
	}

	@Test
	void periodicWorkerNeedsAPositivePeriod() {
		GroupWorker.Tick tick = (context) -> context.broadcast("tick");

		assertThatIllegalArgumentException().isThrownBy(() -> GroupWorker.periodic(Duration.ZERO, tick))
			.withMessage("the period of a periodic worker must be positive: PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> new GroupWorker.Periodic(Duration.ofMillis(-1), tick))
			.withMessage("the period of a periodic worker must be positive: PT-0.001S");
	}

	@Test
	void factoryBuildingAPeriodicWorkerWithANonPositivePeriodFailsItsGroupWith1011AndTheNextViewerGetsAWorker() {
		AtomicBoolean broken = new AtomicBoolean(true);
		CountingFactory ticker = new CountingFactory("ticker/*",
				(group) -> broken.getAndSet(false)
						? new GroupWorker.Periodic(Duration.ZERO, (context) -> context.broadcast("never"))
						: tick(Duration.ofMillis(20)));
		NotifierEngine engine = engine(ticker);
		Peer first = join(engine, "ticker/eur");

		first.awaitClosedWith(1011);
		assertThat(first.transport().closeStatus().reason()).isEqualTo("worker failed");
		assertThat(this.errors.about("ticker/eur")).singleElement()
			.asString()
			.contains(CountingFactory.class.getName(), "must be positive: PT0S");

		Peer next = join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> !next.texts().isEmpty());
		assertThat(ticker.created).hasValue(2);
	}

	@Test
	void clusterFailingToGrantALeaseLeavesTheGroupFreeForItsNextViewer() {
		LeaseCluster cluster = new LeaseCluster();
		cluster.failNextAcquire(new IllegalStateException("Redis is unreachable"));
		CountingFactory ticker = new CountingFactory("ticker/*", (group) -> tick(Duration.ofMillis(20)));
		NotifierEngine engine = start(builder(ticker).cluster(cluster));
		Peer first = join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> !this.errors.about("ticker/eur").isEmpty());
		first.session().close(CloseStatus.NORMAL);

		Peer next = join(engine, "ticker/eur");

		EngineTestSupport.eventually().until(() -> !next.texts().isEmpty());
		assertThat(ticker.created).hasValue(1);
		assertThat(cluster.held).containsExactly("ticker/eur");
		assertThat(this.errors.about("ticker/eur")).singleElement().asString().contains("Redis is unreachable");
	}

	@Test
	void startWorkerRightAfterTheClusterFailedToGrantALeaseStartsTheWorker() {
		LeaseCluster cluster = new LeaseCluster();
		cluster.failNextAcquire(new IllegalStateException("Redis is unreachable"));
		NotifierEngine engine = start(
				builder(new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)))).cluster(cluster));

		assertThat(engine.startWorker("ticker/eur")).isFalse();
		assertThat(engine.startWorker("ticker/eur")).isTrue();

		assertThat(engine.worker("ticker/eur")).isPresent();
		assertThat(this.errors.about("ticker/eur")).hasSize(1);
	}

	@Test
	void atShutdownTheLeasesOfTheEndedWorkersAreLeftForTheClusterToReleaseTogetherWhenItStops() {
		LeaseCluster cluster = new LeaseCluster();
		NotifierEngine engine = start(
				builder(new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)))).cluster(cluster));
		List<String> groups = List.of("ticker/eur", "ticker/usd", "ticker/gbp");
		groups.forEach((group) -> assertThat(engine.startWorker(group)).isTrue());

		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		assertThat(cluster.heldAtStop).as("no lease released one by one before the cluster stops")
			.containsExactlyInAnyOrderElementsOf(groups);
	}

	@Test
	void factoriesCreateTheWorkersOfJoinedGroupsOnTheNamedLaunchThreads() {
		AtomicReference<String> thread = new AtomicReference<>();
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> {
			thread.set(Thread.currentThread().getName());
			return tick(Duration.ofHours(1));
		}));

		join(engine, "ticker/eur");

		EngineTestSupport.eventually().until(() -> thread.get() != null);
		assertThat(thread.get()).matches("notifier-worker-launch-\\d+");
	}

	@Test
	void factoryBlockedInCreateDoesNotHoldUpTheThreadThatJoins() throws Exception {
		CountDownLatch creating = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> {
			creating.countDown();
			awaitUninterruptibly(release);
			return tick(Duration.ofHours(1));
		}));
		try {
			Peer viewer = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> join(engine, "ticker/eur"));

			assertThat(creating.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(viewer.session().isOpen()).isTrue();
			assertThat(engine.worker("ticker/eur")).as("still being created").isEmpty();
		}
		finally {
			release.countDown();
		}
		EngineTestSupport.eventually().until(() -> engine.worker("ticker/eur").isPresent());
	}

	@Test
	void ticksHoldingEveryTickThreadDoNotDelayAStop() throws Exception {
		int tickThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
		CountDownLatch ticking = new CountDownLatch(tickThreads);
		CountDownLatch release = new CountDownLatch(1);
		CountingFactory slow = new CountingFactory("slow/*",
				(group) -> GroupWorker.periodic(Duration.ofMillis(10), (context) -> {
					ticking.countDown();
					release.await();
				}));
		CountingFactory shortLived = new CountingFactory("ticker/*", (group) -> tick(Duration.ofHours(1)));
		shortLived.maxLifetime = Duration.ofMillis(100);
		NotifierEngine engine = engine(slow, shortLived);
		try {
			for (int i = 0; i < tickThreads; i++) {
				engine.startWorker("slow/" + i, Duration.ofMinutes(1));
			}
			assertThat(ticking.await(5, TimeUnit.SECONDS)).isTrue();

			Peer viewer = join(engine, "ticker/eur");

			viewer.awaitClosedWith(1001);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void shutdownInterruptsAFactoryStillCreatingOnceTheStopGraceIsOver() throws Exception {
		CountDownLatch creating = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> {
			creating.countDown();
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
			return null;
		}));
		join(engine, "tasks/1");
		assertThat(creating.await(5, TimeUnit.SECONDS)).isTrue();

		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO));

		EngineTestSupport.eventually().until(interrupted::get);
	}

	@Test
	void shutdownEndsTheLaunchTickAndTimerThreads() {
		NotifierEngine engine = engine(new CountingFactory("ticker/*", (group) -> tick(Duration.ofMillis(10))));
		Peer viewer = join(engine, "ticker/eur");
		EngineTestSupport.eventually().until(() -> !viewer.texts().isEmpty());
		String workerThreads = "notifier-worker-(launch|tick|timer)-\\d+";
		assertThat(liveThreadsNamed(workerThreads)).as("a launch, ticks and a lifetime timer ran")
			.anyMatch((name) -> name.startsWith("notifier-worker-launch-"))
			.anyMatch((name) -> name.startsWith("notifier-worker-tick-"))
			.contains("notifier-worker-timer-1");

		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ZERO);

		EngineTestSupport.eventually().until(() -> liveThreadsNamed(workerThreads).isEmpty());
	}

	@Test
	void shutdownStopsEveryWorkerBeforeClosingTheSessions() {
		AtomicBoolean stopped = new AtomicBoolean();
		CountDownLatch running = new CountDownLatch(1);
		NotifierEngine engine = engine(new CountingFactory("tasks/*", (group) -> GroupWorker.blocking((context) -> {
			running.countDown();
			stopped.set(context.awaitStop(Duration.ofHours(1)));
		})));
		Peer viewer = join(engine, "tasks/1");
		EngineTestSupport.eventually().until(() -> running.getCount() == 0);

		engine.shutdown(CloseStatus.GOING_AWAY, Duration.ofSeconds(1));

		assertThat(stopped).isTrue();
		assertThat(engine.workers()).isEmpty();
		viewer.awaitClosedWith(1001);
	}

	private static GroupWorker tick(Duration period) {
		AtomicInteger count = new AtomicInteger();
		return GroupWorker.periodic(period,
				(context) -> context.broadcast("tick " + context.group() + " " + count.incrementAndGet()));
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (latch.getCount() > 0) {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private static List<String> liveThreadsNamed(String regex) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.map(Thread::getName)
			.filter((name) -> name.matches(regex))
			.toList();
	}

	/** A factory that counts the workers it creates. */
	private static final class CountingFactory implements GroupWorkerFactory {

		final AtomicInteger created = new AtomicInteger();

		private final String pattern;

		private final Function<String, @Nullable GroupWorker> workers;

		@Nullable Duration maxLifetime;

		CountingFactory(String pattern, Function<String, @Nullable GroupWorker> workers) {
			this.pattern = pattern;
			this.workers = workers;
		}

		@Override
		public String groupPattern() {
			return this.pattern;
		}

		@Override
		public @Nullable GroupWorker create(String group) {
			this.created.incrementAndGet();
			return this.workers.apply(group);
		}

		@Override
		public @Nullable Duration maxLifetime() {
			return this.maxLifetime;
		}

	}

	/** A cluster of one instance: it grants every lease nobody holds, unless told to fail the next request. */
	private static final class LeaseCluster extends OneInstanceCluster {

		final Set<String> held = ConcurrentHashMap.newKeySet();

		/** The leases still held when the engine stopped the cluster. */
		volatile Set<String> heldAtStop = Set.of();

		private final AtomicReference<@Nullable RuntimeException> nextFailure = new AtomicReference<>();

		void failNextAcquire(RuntimeException failure) {
			this.nextFailure.set(failure);
		}

		@Override
		public void stop() {
			this.heldAtStop = Set.copyOf(this.held);
		}

		@Override
		public boolean acquireWorker(String group) {
			RuntimeException failure = this.nextFailure.getAndSet(null);
			if (failure != null) {
				throw failure;
			}
			return this.held.add(group);
		}

		@Override
		public void releaseWorker(String group) {
			this.held.remove(group);
		}

	}

	/** What the engine logs at ERROR during a test. */
	private static final class ErrorLog extends AppenderBase<ILoggingEvent> {

		private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

		static ch.qos.logback.classic.Logger engineLogger() {
			return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.notifier.core");
		}

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getLevel() == Level.ERROR) {
				this.events.add(event);
			}
		}

		/** The errors that name a group, each as its message followed by its exception's. */
		List<String> about(String group) {
			return this.events.stream()
				.filter((event) -> event.getFormattedMessage().contains("'" + group + "'"))
				.map((event) -> event.getFormattedMessage()
						+ ((event.getThrowableProxy() != null) ? ": " + event.getThrowableProxy().getMessage() : ""))
				.toList();
		}

	}

}
