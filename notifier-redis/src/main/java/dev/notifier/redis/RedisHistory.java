package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.notifier.core.HistoryOptions;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.SharedHistory;
import dev.notifier.redis.PayloadCodec.MalformedPayloadException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * The histories of the groups that keep one, in Redis, shared by every instance: a Redis Stream per group holds its
 * latest broadcasts, and one script appends a broadcast and publishes it, so that offsets are the cluster's and every
 * instance receives the group's broadcasts in the order they were recorded.
 *
 * <p><b>Recording</b> ({@link #RECORD}, one {@code EVAL} per broadcast): the hash {@code <prefix>history-meta:<group>}
 * holds the stream's epoch, created from Redis's {@code TIME} when missing (a new stream, or one Redis lost, as on a
 * restart without persistence, or that expired), and its latest offset ({@code HINCRBY}). The broadcast is added with
 * {@code XADD <prefix>history:<group> MAXLEN <max-messages> 0-<offset> m <message> t <millis>}, both keys get
 * {@code PEXPIRE <time-to-live>}, and {@code PUBLISH <prefix>group:<group>} ({@code SPUBLISH} on a Redis
 * Cluster) sends the payload with the position written in by the script (see {@link PayloadCodec}). A script runs
 * alone, so the order of offsets is the order of the publishes, which every subscriber receives in that order.
 *
 * <p><b>Loading</b> ({@link #LOAD}): once this instance's subscription to the group's channel is confirmed, one script
 * reads the epoch (creating it if missing), the latest offset, Redis's clock and the latest {@code max-messages}
 * entries ({@code XREVRANGE}); what is older than the time to live is left out. Every broadcast recorded after the
 * read reaches this instance through the subscription, so the engine's copy misses nothing in between.
 *
 * <p>Redis keeps at most {@code max-messages} per group, and drops a group's history once nothing was recorded for
 * the time to live; {@code max-size} and the age of single messages are applied to each instance's copy.
 *
 * <p>Threads: {@link #record} and {@link #load} only hand commands to Lettuce. The stage {@link #load} returns
 * completes on Lettuce's event loop, or has failed already when a connection is not open: the engine only copies
 * what was read into the group's stream and wakes the sessions waiting for it, which its threads then serve.
 */
final class RedisHistory implements SharedHistory {

	/** Sets {@code epoch} to the stream's epoch, creating a new one, and dropping any stale stream, if it has none. */
	private static final String EPOCH = """
			local epoch = redis.call('HGET', KEYS[2], 'epoch')
			if not epoch then
			  local now = redis.call('TIME')
			  epoch = string.format('%x%05x', tonumber(now[1]), tonumber(now[2]))
			  redis.call('DEL', KEYS[1])
			  redis.call('HSET', KEYS[2], 'epoch', epoch, 'offset', 0)
			  redis.call('PEXPIRE', KEYS[2], ARGV[1])
			end
			""";

	/**
	 * KEYS: the stream, the hash. ARGV: time to live (ms), max messages, channel, payload header, payload rest after
	 * the position, the message as kept, and the command that publishes: {@code SPUBLISH} on a Redis Cluster, where
	 * the group's channel is in the slot of its keys, else {@code PUBLISH}.
	 */
	static final String RECORD = EPOCH + """
			local offset = redis.call('HINCRBY', KEYS[2], 'offset', 1)
			local now = redis.call('TIME')
			local millis = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
			redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '0-' .. offset, 'm', ARGV[6], 't', millis)
			redis.call('PEXPIRE', KEYS[1], ARGV[1])
			redis.call('PEXPIRE', KEYS[2], ARGV[1])
			redis.call(ARGV[7], ARGV[3], ARGV[4] .. epoch .. ':' .. offset .. '\\n' .. ARGV[5])
			return offset
			""";

	/**
	 * KEYS: the stream, the hash. ARGV: time to live (ms), max messages. Returns the epoch, the latest offset, Redis's
	 * clock in ms and the latest entries, newest first.
	 */
	static final String LOAD = EPOCH + """
			local offset = redis.call('HGET', KEYS[2], 'offset')
			local now = redis.call('TIME')
			local millis = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
			local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[2])
			return { epoch, offset, millis, entries }
			""";

	private final RedisKeys keys;

	private final PayloadCodec codec;

	private final RedisConnections connections;

	private final ClusterBus bus;

	private final byte[] publishCommand;

	RedisHistory(RedisKeys keys, PayloadCodec codec, RedisConnections connections, ClusterBus bus) {
		this.keys = keys;
		this.publishCommand = (keys.sharded() ? "SPUBLISH" : "PUBLISH").getBytes(StandardCharsets.US_ASCII);
		this.codec = codec;
		this.connections = connections;
		this.bus = bus;
	}

	@Override
	public boolean record(String group, OutboundMessage message, @Nullable String exceptSession,
			HistoryOptions limits) {
		byte[] kept = PayloadCodec.recordedMessage(message);
		byte[][] keys = { this.keys.historyKey(group), this.keys.historyMetaKey(group) };
		byte[][] arguments = { number(limits.timeToLive().toMillis()), number(limits.maxMessages()),
				this.keys.channel(group), this.codec.recordedHeader(), PayloadCodec.recordedRest(exceptSession, kept),
				kept, this.publishCommand };
		return this.bus.send((commands) -> commands.eval(RECORD, ScriptOutputType.INTEGER, keys, arguments));
	}

	@Override
	public CompletionStage<Loaded> load(String group, HistoryOptions limits) {
		return this.bus.subscription(group).thenCompose((subscribed) -> {
			RedisClusterAsyncCommands<byte[], byte[]> connection = this.connections.commands();
			if (connection == null) {
				throw new IllegalStateException("the command connection is not open");
			}
			byte[][] keys = { this.keys.historyKey(group), this.keys.historyMetaKey(group) };
			return connection
				.<List<Object>>eval(LOAD, ScriptOutputType.MULTI, keys, number(limits.timeToLive().toMillis()),
						number(limits.maxMessages()));
		}).thenApply((reply) -> {
			try {
				return loaded(reply, limits);
			}
			catch (MalformedPayloadException ex) {
				throw new IllegalStateException("the history of group '" + group + "' in Redis is malformed", ex);
			}
		});
	}

	private static Loaded loaded(List<Object> reply, HistoryOptions limits) throws MalformedPayloadException {
		String epoch = text(reply.get(0));
		long lastOffset = Long.parseLong(text(reply.get(1)));
		long now = Long.parseLong(text(reply.get(2)));
		List<?> entries = (List<?>) reply.get(3);
		List<Kept> kept = new ArrayList<>(entries.size());
		long expected = lastOffset;
		for (Object entry : entries) {
			List<?> idAndFields = (List<?>) entry;
			long offset = Long.parseLong(text(idAndFields.get(0)).substring(2));
			List<?> fields = (List<?>) idAndFields.get(1);
			byte[] message = null;
			long recorded = now;
			for (int i = 0; i + 1 < fields.size(); i += 2) {
				String field = text(fields.get(i));
				if (field.equals("m")) {
					message = (byte[]) fields.get(i + 1);
				}
				else if (field.equals("t")) {
					recorded = Long.parseLong(text(fields.get(i + 1)));
				}
			}
			long age = Math.max(0, now - recorded);
			// Newest first, with consecutive offsets: stop at a gap, or at the first one too old to keep.
			if (offset != expected || message == null || age > limits.timeToLive().toMillis()) {
				break;
			}
			kept.add(new Kept(offset, age, PayloadCodec.message(ByteBuffer.wrap(message))));
			expected--;
		}
		Collections.reverse(kept);
		return new Loaded(epoch, lastOffset, kept);
	}

	private static String text(Object reply) {
		return (reply instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
	}

	private static byte[] number(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

}
