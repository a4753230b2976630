package dev.notifier.sample;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Runs fake tasks: each writes a timestamped log line every {@code sample.tasks.line-interval} until it has written
 * {@code sample.tasks.lines}, then finishes. It knows nothing of WebSockets; {@link TaskLogWorkers} streams the logs.
 * The task runs on the instance that started it; its log is kept by {@link Tasks}, in Redis when clustered.
 */
@Service
class TaskService implements DisposableBean {

	private static final String[] STEPS = { "resolving dependencies", "compiling sources", "running unit tests",
			"running integration tests", "packaging", "uploading artifacts" };

	private final TaskProperties properties;

	private final ScheduledExecutorService runner = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "sample-tasks");
		thread.setDaemon(true);
		return thread;
	});

	private final Tasks tasks;

	TaskService(TaskProperties properties, Tasks tasks) {
		this.properties = properties;
		this.tasks = tasks;
	}

	/** Starts a task and returns it; its log begins at once. */
	Task start(String name) {
		Task task = this.tasks.create();
		task.append("task '" + name + "' started", false);
		long interval = this.properties.lineInterval().toNanos();
		AtomicInteger written = new AtomicInteger();
		this.runner.schedule(new Runnable() {

			@Override
			public void run() {
				int line = written.incrementAndGet();
				if (line > TaskService.this.properties.lines()) {
					task.append("task finished", true);
					return;
				}
				task.append(STEPS[(line - 1) % STEPS.length] + " (" + line + "/" + TaskService.this.properties.lines()
						+ ")", false);
				TaskService.this.runner.schedule(this, interval, TimeUnit.NANOSECONDS);
			}

		}, interval, TimeUnit.NANOSECONDS);
		return task;
	}

	Optional<Task> find(String id) {
		return this.tasks.find(id);
	}

	@Override
	public void destroy() {
		this.runner.shutdownNow();
	}

}
