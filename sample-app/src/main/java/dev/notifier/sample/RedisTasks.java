package dev.notifier.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Tasks kept in Redis, so that a task started on one instance of a clustered sample is known to every other: each is
 * the key {@code <prefix>sample:task:<id>} holding {@code running} or {@code finished}, kept for {@link #RETENTION};
 * ids come from {@code INCR <prefix>sample:task-ids}. Only the instance that started a task writes it. Its log lines
 * travel as broadcasts, kept by the group's history in Redis.
 */
final class RedisTasks implements Tasks {

	static final Duration RETENTION = Duration.ofHours(1);

	private static final String RUNNING = "running";

	private static final String FINISHED = "finished";

	private final StringRedisTemplate redis;

	private final String prefix;

	RedisTasks(StringRedisTemplate redis, String prefix) {
		this.redis = redis;
		this.prefix = prefix + "sample:";
	}

	@Override
	public Task create() {
		Long id = this.redis.opsForValue().increment(this.prefix + "task-ids");
		RedisTask task = new RedisTask(String.valueOf(id));
		this.redis.opsForValue().set(task.key, RUNNING, RETENTION);
		return task;
	}

	@Override
	public Optional<Task> find(String id) {
		RedisTask task = new RedisTask(id);
		return Boolean.TRUE.equals(this.redis.hasKey(task.key)) ? Optional.of(task) : Optional.empty();
	}

	private final class RedisTask implements Task {

		private final String id;

		private final String key;

		/** Lines this instance wrote; only the task's runner writes. */
		private int written;

		RedisTask(String id) {
			this.id = id;
			this.key = RedisTasks.this.prefix + "task:" + id;
		}

		@Override
		public String id() {
			return this.id;
		}

		@Override
		public LogLine append(String text, boolean last) {
			return new LogLine(++this.written, Instant.now(), text, last);
		}

		@Override
		public void finish() {
			RedisTasks.this.redis.opsForValue().set(this.key, FINISHED, RETENTION);
		}

		@Override
		public boolean isFinished() {
			return FINISHED.equals(RedisTasks.this.redis.opsForValue().get(this.key));
		}

	}

}
