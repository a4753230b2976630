package dev.notifier.sample;

import java.util.Optional;

/** Where tasks are kept: {@link MemoryTasks} when the sample runs alone, {@link RedisTasks} as a cluster. */
interface Tasks {

	/** A new task with an id no other task of the cluster has, and an empty log. */
	Task create();

	Optional<Task> find(String id);

}
