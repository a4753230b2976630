package dev.notifier.redis;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.notifier.core.HistoryInfo;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits of {@code notifier.history.*} in cluster mode, on a real Redis server: what the group's Redis Stream
 * keeps, what each instance's copy loaded from it keeps, what a resuming or new viewer gets once messages are
 * trimmed or the whole history expired, and that a long history within the limits reaches such a viewer whole.
 */
class RedisHistoryLimitsTests extends RedisClusterTestSupport {

	private static final String GROUPS = "notifier.history.groups=tasks/*";

	private static final String REPLAY_ALL = "notifier.history.replay-last=1000";

	@Test
	void redisKeepsAtMostMaxMessagesAndAResumeFromATrimmedOffsetIsReplayedWhatIsKeptAsNotRecovered() throws Exception {
		Instance a = start("a", GROUPS, REPLAY_ALL, "notifier.history.max-messages=5");
		Instance b = start("b", GROUPS, REPLAY_ALL, "notifier.history.max-messages=5");
		IntStream.rangeClosed(1, 12).forEach((n) -> a.engine().broadcast("tasks/1", "line " + n));
		waiting("Redis records the twelve lines").until(() -> "12".equals(meta("tasks/1", "offset")));

		assertThat(redis().xrange(historyKey("tasks/1"), Range.create("-", "+"))).as("the group's Redis Stream")
			.extracting(StreamMessage::getId)
			.containsExactly("0-8", "0-9", "0-10", "0-11", "0-12");
		String epoch = meta("tasks/1", "epoch");
		Viewer trimmed = joinFramed(b, "tasks/1?lastEventId=" + epoch + ":3");
		Viewer atTheEdge = joinFramed(a, "tasks/1?lastEventId=" + epoch + ":7");

		waiting("both resumed viewers receive what is kept").until(() -> trimmed.texts().size() >= 6
				&& atTheEdge.texts().size() >= 6);
		List<String> kept = IntStream.rangeClosed(8, 12).mapToObj((n) -> "m " + epoch + ":" + n + "\nline " + n).toList();
		assertThat(trimmed.texts()).as("resumed after line 3, trimmed away")
			.isEqualTo(Stream.concat(Stream.of(status(epoch, 7, false)), kept.stream()).toList());
		assertThat(atTheEdge.texts()).as("resumed after line 7, the latest line trimmed away")
			.isEqualTo(Stream.concat(Stream.of(status(epoch, 7, true)), kept.stream()).toList());
		long keptBytes = IntStream.rangeClosed(8, 12).mapToObj((n) -> "line " + n).mapToLong(String::length).sum();
		assertThat(b.engine().history("tasks/1")).as("b's copy")
			.hasValue(new HistoryInfo("tasks/1", epoch, 8, 12, 5, keptBytes));
	}

	@Test
	void aCopyLoadedFromRedisKeepsNoMoreThanMaxSizeWhileRedisKeepsEveryMessage() throws Exception {
		Instance a = start("a", GROUPS, REPLAY_ALL, "notifier.history.max-size=40B");
		Instance b = start("b", GROUPS, REPLAY_ALL, "notifier.history.max-size=40B");
		// Ten messages of ten bytes each: the copies keep the latest four.
		List<String> lines = IntStream.rangeClosed(1, 10).mapToObj((n) -> String.format("message %02d", n)).toList();
		lines.forEach((line) -> a.engine().broadcast("tasks/1", line));
		waiting("Redis records the ten messages").until(() -> "10".equals(meta("tasks/1", "offset")));
		assertThat(redis().xlen(historyKey("tasks/1"))).as("max-size is not applied in Redis").isEqualTo(10);

		Viewer late = join(b, "tasks/1");

		waiting("the late viewer is replayed what b's copy keeps").until(() -> late.texts().size() >= 4);
		assertThat(late.texts()).isEqualTo(lines.subList(6, 10));
		String epoch = meta("tasks/1", "epoch");
		assertThat(b.engine().history("tasks/1")).hasValue(new HistoryInfo("tasks/1", epoch, 7, 10, 4, 40));
		assertThat(get(b, "/actuator/notifier/tasks/1").get("history").get("bytes").asLong())
			.as("what the endpoint shows of b's copy")
			.isEqualTo(40);
	}

	@Test
	void aLoadLeavesOutWhatIsOlderThanTheTimeToLiveThoughRedisStillKeepsIt() throws Exception {
		Instance a = start("a", GROUPS, REPLAY_ALL, "notifier.history.time-to-live=1m");
		// Written as RECORD writes them, with the recording times of lines sent two and one and a half minutes ago
		// and now: Redis keeps a group's keys while anything is recorded, whatever the age of its older entries.
		long now = Long.parseLong(redis().time().get(0)) * 1000;
		redis().hset(metaKey("tasks/1"), Map.of("epoch", "aged1", "offset", "3"));
		addEntry("tasks/1", 1, now - 120_000);
		addEntry("tasks/1", 2, now - 90_000);
		addEntry("tasks/1", 3, now);

		Viewer resumed = joinFramed(a, "tasks/1?lastEventId=aged1:1");

		waiting("the resumed viewer is told and replayed what the load kept").until(() -> resumed.texts().size() >= 2);
		assertThat(resumed.texts()).containsExactly(status("aged1", 2, false), "m aged1:3\nline 3");
		assertThat(a.engine().history("tasks/1")).hasValue(new HistoryInfo("tasks/1", "aged1", 3, 3, 1, 6));
	}

	@Test
	void afterTheTimeToLiveTheHistoryIsGoneAndTheNextBroadcastStartsANewEpochThatClosesViewersOfTheOldOne()
			throws Exception {
		String timeToLive = "notifier.history.time-to-live=2s";
		Instance a = start("a", GROUPS, REPLAY_ALL, timeToLive);
		Instance b = start("b", GROUPS, REPLAY_ALL, timeToLive);
		Viewer staying = joinFramed(a, "tasks/1");
		IntStream.rangeClosed(1, 2).forEach((n) -> b.engine().broadcast("tasks/1", "line " + n));
		waiting("the viewer receives both lines").until(() -> staying.texts().size() >= 3);
		String position = positionOf(staying.texts().get(2));
		String oldEpoch = position.substring(0, position.indexOf(':'));

		waiting("Redis drops the group's stream and epoch once nothing was recorded for the time to live")
			.until(() -> redis().exists(historyKey("tasks/1"), metaKey("tasks/1")) == 0);
		waiting("a's copy lets the expired lines go")
			.until(() -> a.engine().history("tasks/1").map(HistoryInfo::messages).orElse(-1) == 0);
		assertThat(staying.isClosed()).as("a connected viewer learns of the new epoch only with the next broadcast")
			.isFalse();
		b.engine().broadcast("tasks/1", "line 3");

		waiting("the viewer of the old epoch is closed to resume").until(staying::isClosed);
		String newEpoch = meta("tasks/1", "epoch");
		assertThat(newEpoch).isNotEqualTo(oldEpoch);
		assertThat(staying.closeCode()).isEqualTo(1013);
		assertThat(staying.closeReason()).isEqualTo("missed broadcasts: resume");
		Viewer resumed = joinFramed(a, "tasks/1?lastEventId=" + position);
		waiting("the resumed viewer is told and replayed the new epoch").until(() -> resumed.texts().size() >= 2);
		assertThat(resumed.texts()).containsExactly(status(newEpoch, 0, false), "m " + newEpoch + ":1\nline 3");
	}

	@Test
	void aLateViewerOnAnotherInstanceGetsA5000LineLogWholeThroughA64MessageQueueAndAResumeGetsItsSecondHalf()
			throws Exception {
		// Limits as the sample's task logs have them, and a queue of 64 messages: a replay put in it at once rather
		// than paced would overflow it, which the default overflow policy answers with 1013.
		String[] longLogs = { GROUPS, "notifier.history.max-messages=10000", "notifier.history.max-size=8MB",
				"notifier.history.replay-last=10000", "notifier.outbound.max-queued-messages=64" };
		Instance a = start("a", longLogs);
		Instance b = start("b", longLogs);
		List<String> lines = IntStream.rangeClosed(1, 5000).mapToObj(RedisHistoryLimitsTests::logLine).toList();
		lines.forEach((line) -> a.engine().broadcast("tasks/1", line));
		waiting("Redis records the 5,000 lines").until(() -> "5000".equals(meta("tasks/1", "offset")));
		String epoch = meta("tasks/1", "epoch");

		Viewer late = join(b, "tasks/1");
		waiting("the late viewer receives the 5,000 lines or is closed")
			.until(() -> late.texts().size() >= 5000 || late.isClosed());
		assertThat(late.closeCode()).as("the close of the late viewer").isNull();
		assertThat(late.texts()).as("the late viewer's log").isEqualTo(lines);
		Viewer resumed = joinFramed(b, "tasks/1?lastEventId=" + epoch + ":2500");
		waiting("the resumed viewer receives the 2,500 lines after line 2,500 or is closed")
			.until(() -> resumed.texts().size() >= 2501 || resumed.isClosed());
		assertThat(resumed.closeCode()).as("the close of the resumed viewer").isNull();
		assertThat(resumed.texts()).as("the resumed viewer's log")
			.isEqualTo(Stream
				.concat(Stream.of(status(epoch, 2500, true)),
						IntStream.rangeClosed(2501, 5000).mapToObj((n) -> "m " + epoch + ":" + n + "\n" + logLine(n)))
				.toList());
		a.engine().broadcast("tasks/1", "live line");

		waiting("both viewers receive the live line").until(() -> late.texts().size() >= 5001
				&& resumed.texts().size() >= 2502);
		assertThat(late.texts()).hasSize(5001).last().isEqualTo("live line");
		assertThat(resumed.texts()).hasSize(2502).last().isEqualTo("m " + epoch + ":5001\nlive line");
		assertThat(late.isClosed()).as("the late viewer is closed").isFalse();
		assertThat(resumed.isClosed()).as("the resumed viewer is closed").isFalse();
	}

	/** A line of a task's log, 100 bytes long, numbered so that an order or a duplicate shows. */
	private static String logLine(int number) {
		return String.format("line %04d %s", number, "x".repeat(90));
	}

	/** The status frame of {@code notifier.v1} that opens a framed session's messages. */
	private static String status(String epoch, long offset, boolean recovered) {
		return "s\n{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + ",\"recovered\":" + recovered + "}";
	}

	private String historyKey(String group) {
		return this.prefix + "history:" + group;
	}

	private String metaKey(String group) {
		return this.prefix + "history-meta:" + group;
	}

	/** Adds "line n" at offset n to a group's stream, recorded at this time of Redis's clock, as RECORD would. */
	private void addEntry(String group, int line, long recordedMillis) {
		redis().xadd(historyKey(group), new XAddArgs().id("0-" + line),
				Map.of("m", "T" + "line " + line, "t", Long.toString(recordedMillis)));
	}

	private String meta(String group, String field) {
		return redis().hget(metaKey(group), field);
	}

}
