package dev.notifier.sample;

import java.time.Duration;
import java.util.List;

import dev.notifier.core.GroupWorker;
import dev.notifier.core.GroupWorkerFactory;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The original use case: every viewer of {@code tasks/<id>} sees that task's live log.
 *
 * <ul>
 * <li>It tells {@link SampleSecurity}'s {@code GroupAuthorizer} which task groups exist: viewers join only those (403
 * otherwise).</li>
 * <li>As a {@link NotifierListener}, it greets each new viewer with the log so far.</li>
 * <li>As a {@link GroupWorkerFactory}, it runs one blocking worker per watched task that broadcasts each new line and
 * ends with the task, which closes every viewer with 1000: the browser client then stops reconnecting.</li>
 * </ul>
 * A line can reach a viewer twice (in its greeting and in a broadcast), so every line carries its number and the
 * page drops numbers it already shows.
 */
@Component
class TaskLogWorkers implements GroupWorkerFactory, NotifierListener {

	private static final String PREFIX = "tasks/";

	private static final Duration POLL = Duration.ofMillis(500);

	private final TaskService tasks;

	TaskLogWorkers(TaskService tasks) {
		this.tasks = tasks;
	}

	@Override
	public String groupPattern() {
		return PREFIX + "*";
	}

	/** Whether the group is the log of a task that exists. */
	boolean servesGroup(String group) {
		return task(group) != null;
	}

	@Override
	public void onConnect(NotifierSession session) {
		Task task = task(session.group());
		if (task != null) {
			task.lines().forEach(session::send);
		}
	}

	@Override
	public @Nullable GroupWorker create(String group) {
		Task task = task(group);
		if (task == null) {
			return null;
		}
		return GroupWorker.blocking((context) -> {
			// From the first line: lines written between a viewer's greeting and this loop's start would otherwise
			// reach nobody. Viewers drop the numbers they already have.
			int seen = 0;
			while (!context.isStopping()) {
				List<Task.LogLine> lines = task.awaitLinesAfter(seen, POLL);
				lines.forEach(context::broadcast);
				seen += lines.size();
				if (task.isFinished() && seen == task.lines().size()) {
					return;
				}
			}
		});
	}

	private @Nullable Task task(String group) {
		return group.startsWith(PREFIX) ? this.tasks.find(group.substring(PREFIX.length())).orElse(null) : null;
	}

}
