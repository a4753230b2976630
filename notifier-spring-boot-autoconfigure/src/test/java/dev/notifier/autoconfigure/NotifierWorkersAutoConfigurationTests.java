package dev.notifier.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierEngine;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threads group workers get from the auto-configuration, and how a failing worker is reported.
 */
@ExtendWith(OutputCaptureExtension.class)
class NotifierWorkersAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NotifierAutoConfiguration.class));

	@Test
	void blockingWorkersRunOnNamedPlatformThreadsByDefault() {
		CompletableFuture<Thread> thread = new CompletableFuture<>();
		this.contextRunner.withBean(GroupWorkerFactory.class, () -> blockingFactory(thread)).run((context) -> {
			context.getBean(NotifierEngine.class).startWorker("jobs/1");

			Thread runner = thread.get(10, TimeUnit.SECONDS);
			assertThat(runner.getName()).matches("notifier-worker-\\d+");
			assertThat(isVirtual(runner)).isFalse();
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void blockingWorkersRunOnVirtualThreadsWhenSpringVirtualThreadsAreEnabled() {
		CompletableFuture<Thread> thread = new CompletableFuture<>();
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")
			.withBean(GroupWorkerFactory.class, () -> blockingFactory(thread))
			.run((context) -> {
				context.getBean(NotifierEngine.class).startWorker("jobs/1");

				Thread runner = thread.get(10, TimeUnit.SECONDS);
				assertThat(isVirtual(runner)).isTrue();
				assertThat(runner.getName()).startsWith("notifier-worker-");
			});
	}

	@Test
	void failingWorkerIsLoggedOnceWithItsGroup(CapturedOutput output) {
		GroupWorkerFactory failing = factory((group) -> GroupWorker.blocking((context) -> {
			throw new IllegalStateException("log source is gone");
		}));
		this.contextRunner.withBean(GroupWorkerFactory.class, () -> failing).run((context) -> {
			NotifierEngine engine = context.getBean(NotifierEngine.class);
			engine.startWorker("jobs/broken");

			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.worker("jobs/broken").isEmpty());
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> output.getOut().contains("log source is gone"));
			assertThat(occurrences(output.getOut() + output.getErr(), "Worker of group 'jobs/broken' failed"))
				.isEqualTo(1);
			assertThat(occurrences(output.getOut() + output.getErr(), "IllegalStateException: log source is gone"))
				.isEqualTo(1);
		});
	}

	private static GroupWorkerFactory blockingFactory(CompletableFuture<Thread> thread) {
		return factory((group) -> GroupWorker.blocking((context) -> thread.complete(Thread.currentThread())));
	}

	private static GroupWorkerFactory factory(Function<String, GroupWorker> workers) {
		return new GroupWorkerFactory() {

			@Override
			public String groupPattern() {
				return "jobs/*";
			}

			@Override
			public GroupWorker create(String group) {
				return workers.apply(group);
			}

		};
	}

	/** {@code Thread.isVirtual()}, called reflectively: the build compiles for Java 17, where it does not exist. */
	private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
	}

	private static int occurrences(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
			count++;
		}
		return count;
	}

}
