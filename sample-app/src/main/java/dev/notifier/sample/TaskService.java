package dev.notifier.sample;

import java.util.LinkedHashMap;
import java.util.Map;
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

	private final AtomicInteger ids = new AtomicInteger();

	private final Map<String, Task> tasks = new LinkedHashMap<>();

	TaskService(TaskProperties properties) {
		this.properties = properties;
	}

	/** Starts a task and returns it; its log begins at once. */
	Task start(String name) {
		Task task = new Task(String.valueOf(this.ids.incrementAndGet()));
		synchronized (this.tasks) {
			this.tasks.put(task.id(), task);
			if (this.tasks.size() > this.properties.retained()) {
				this.tasks.remove(this.tasks.keySet().iterator().next());
			}
		}
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
		synchronized (this.tasks) {
			return Optional.ofNullable(this.tasks.get(id));
		}
	}

	@Override
	public void destroy() {
		this.runner.shutdownNow();
	}

}
