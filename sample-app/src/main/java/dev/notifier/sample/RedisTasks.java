package dev.notifier.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Tasks whose logs live in Redis, so that a task started on one instance of a clustered sample can be watched from
 * any other: the authorizer, the greeting and the worker of every instance read the same log. Each log is the list
 * {@code <prefix>sample:task:<id>} of JSON lines, kept for {@link #RETENTION}; ids come from
 * {@code INCR <prefix>sample:task-ids}. Only the instance that started a task appends to its log.
 */
final class RedisTasks implements Tasks {

	static final Duration RETENTION = Duration.ofHours(1);

	private static final Duration POLL = Duration.ofMillis(100);

	private final StringRedisTemplate redis;

	private final JsonMapper json;

	private final String prefix;

	RedisTasks(StringRedisTemplate redis, JsonMapper json, String prefix) {
		this.redis = redis;
		this.json = json;
		this.prefix = prefix + "sample:";
	}

	@Override
	public Task create() {
		Long id = this.redis.opsForValue().increment(this.prefix + "task-ids");
		return new RedisTask(String.valueOf(id));
	}

	@Override
	public Optional<Task> find(String id) {
		RedisTask task = new RedisTask(id);
		return Boolean.TRUE.equals(this.redis.hasKey(task.key)) ? Optional.of(task) : Optional.empty();
	}

	private final class RedisTask implements Task {

		private final String id;

		private final String key;

		/** Lines this instance appended; only the task's runner appends. */
		private int appended;

		private boolean finished;

		RedisTask(String id) {
			this.id = id;
			this.key = RedisTasks.this.prefix + "task:" + id;
		}

		@Override
		public String id() {
			return this.id;
		}

		@Override
		public synchronized void append(String text, boolean last) {
			if (this.finished) {
				return;
			}
			LogLine line = new LogLine(++this.appended, Instant.now(), text, last);
			RedisTasks.this.redis.opsForList().rightPush(this.key, RedisTasks.this.json.writeValueAsString(line));
			RedisTasks.this.redis.expire(this.key, RETENTION);
			this.finished = last;
		}

		@Override
		public boolean isFinished() {
			String last = RedisTasks.this.redis.opsForList().index(this.key, -1);
			return last != null && parse(last).last();
		}

		@Override
		public List<LogLine> lines() {
			return range(0);
		}

		@Override
		public List<LogLine> awaitLinesAfter(int seen, Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			List<LogLine> lines = range(seen);
			while (lines.isEmpty() && System.nanoTime() < deadline) {
				// Redis lists have no "wait for an element past index n": poll.
				Thread.sleep(POLL.toMillis());
				lines = range(seen);
			}
			return lines;
		}

		private List<LogLine> range(int from) {
			List<String> lines = RedisTasks.this.redis.opsForList().range(this.key, from, -1);
			return (lines != null) ? lines.stream().map(RedisTasks.this::parse).toList() : List.of();
		}

	}

	private Task.LogLine parse(String line) {
		return this.json.readValue(line, Task.LogLine.class);
	}

}
