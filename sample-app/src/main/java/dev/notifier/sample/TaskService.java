package dev.notifier.sample;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.GroupNotifier;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Runs fake tasks: each writes a timestamped log line every {@code sample.tasks.line-interval} until it has written
 * {@code sample.tasks.lines}, then finishes. Each line is broadcast to the task's group as it is written, whether or
 * not anyone watches: the group's history keeps it for viewers who come later (see {@link TaskLogs}). When the task
 * finishes, its viewers are closed with 1000 once they have every line. The task runs on the instance that started
 * it; {@link Tasks} keeps whether it exists and has finished, in Redis when clustered.
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

	private final GroupNotifier notifier;

	TaskService(TaskProperties properties, Tasks tasks, GroupNotifier notifier) {
		this.properties = properties;
		this.tasks = tasks;
		this.notifier = notifier;
	}

	/** Starts a task and returns it; its log begins at once. */
	Task start(String name) {
		Task task = this.tasks.create();
		write(task, "task '" + name + "' started", false);
		long interval = this.properties.lineInterval().toNanos();
		AtomicInteger written = new AtomicInteger();
		this.runner.schedule(new Runnable() {

			@Override
			public void run() {
				int line = written.incrementAndGet();
				if (line > TaskService.this.properties.lines()) {
					write(task, "task finished", true);
					return;
				}
				write(task, STEPS[(line - 1) % STEPS.length] + " (" + line + "/" + TaskService.this.properties.lines()
						+ ")", false);
				TaskService.this.runner.schedule(this, interval, TimeUnit.NANOSECONDS);
			}

		}, interval, TimeUnit.NANOSECONDS);
		return task;
	}

	/**
	 * Writes a line and broadcasts it. After the last, the task is finished and its viewers are closed, each once its
	 * queue is written out; finishing only after the broadcast means that a viewer who joins meanwhile, and is closed
	 * on joining because the task has finished, has the last line in its replay.
	 */
	private void write(Task task, String text, boolean last) {
		String group = TaskLogs.PREFIX + task.id();
		this.notifier.broadcast(group, task.append(text, last));
		if (last) {
			task.finish();
			this.notifier.close(group, TaskLogs.TASK_FINISHED);
		}
	}

	@Override
	public void destroy() {
		this.runner.shutdownNow();
	}

}
