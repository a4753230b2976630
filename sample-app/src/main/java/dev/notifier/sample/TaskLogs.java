package dev.notifier.sample;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The original use case: every viewer of {@code tasks/<id>} sees that task's log, the lines written before it came
 * and those written while it watches, and the log ends when the task does.
 *
 * <p>The lines reach viewers as broadcasts from {@link TaskService}, and the group's history
 * ({@code notifier.history.*} in {@code application.properties}) replays the whole log to a viewer who joins late
 * and resumes a viewer who reconnects after the last line it got: nothing here sends the log by hand. What this bean
 * adds:
 * <ul>
 * <li>It tells {@link SampleSecurity}'s {@code GroupAuthorizer} which task groups exist: viewers join only those (403
 * otherwise).</li>
 * <li>As a {@link NotifierListener}, it closes a viewer of a task that has already finished with 1000, which the
 * close sends only once the replay of the log has been written; the browser client then does not reconnect.
 * Viewers watching when the task finishes are closed by {@link TaskService}.</li>
 * </ul>
 */
@Component
class TaskLogs implements NotifierListener {

	static final String PREFIX = "tasks/";

	static final CloseStatus TASK_FINISHED = CloseStatus.NORMAL.withReason("task finished");

	private final Tasks tasks;

	TaskLogs(Tasks tasks) {
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
		if (task != null && task.isFinished()) {
			session.close(TASK_FINISHED);
		}
	}

	private @Nullable Task task(String group) {
		return group.startsWith(PREFIX) ? this.tasks.find(group.substring(PREFIX.length())).orElse(null) : null;
	}

}
