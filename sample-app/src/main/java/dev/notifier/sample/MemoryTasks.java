package dev.notifier.sample;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Tasks in this instance's memory; the oldest are forgotten beyond {@code sample.tasks.retained}. */
final class MemoryTasks implements Tasks {

	private final TaskProperties properties;

	private final AtomicInteger ids = new AtomicInteger();

	private final Map<String, Task> tasks = new LinkedHashMap<>();

	MemoryTasks(TaskProperties properties) {
		this.properties = properties;
	}

	@Override
	public Task create() {
		Task task = new MemoryTask(String.valueOf(this.ids.incrementAndGet()));
		synchronized (this.tasks) {
			this.tasks.put(task.id(), task);
			if (this.tasks.size() > this.properties.retained()) {
				this.tasks.remove(this.tasks.keySet().iterator().next());
			}
		}
		return task;
	}

	@Override
	public Optional<Task> find(String id) {
		synchronized (this.tasks) {
			return Optional.ofNullable(this.tasks.get(id));
		}
	}

}
