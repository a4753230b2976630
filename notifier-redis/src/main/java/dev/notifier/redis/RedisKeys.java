package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The names the cluster uses on the Redis server, all under the configured prefix: the pub/sub channels
 * {@code <prefix>all}, {@code <prefix>group:<group>}, {@code <prefix>released} and {@code <prefix>probe:<instance>},
 * and the lease keys {@code <prefix>worker:<group>}.
 * Immutable.
 */
final class RedisKeys {

	private final String prefix;

	private final byte[] allChannel;

	private final String groupChannelPrefix;

	RedisKeys(String prefix) {
		this.prefix = prefix;
		this.allChannel = bytes(prefix + "all");
		this.groupChannelPrefix = prefix + "group:";
	}

	/**
	 * The channel of a group, or of every group (an array shared by every call: never modify it).
	 * @param group the group, or {@code null} for the channel every instance listens to
	 */
	byte[] channel(@Nullable String group) {
		return (group != null) ? bytes(this.groupChannelPrefix + group) : this.allChannel;
	}

	/**
	 * The group of a channel from {@link #channel}.
	 * @return the group, or {@code null} for the channel of every group
	 */
	@Nullable String group(byte[] channel) {
		if (Arrays.equals(channel, this.allChannel)) {
			return null;
		}
		return new String(channel, StandardCharsets.UTF_8).substring(this.groupChannelPrefix.length());
	}

	/** The channel on which an instance probes its own subscription; only that instance subscribes to it. */
	byte[] probeChannel(String instanceId) {
		return bytes(this.prefix + "probe:" + instanceId);
	}

	/** The channel on which a released lease is announced, its payload the group; every instance subscribes to it. */
	byte[] releasedChannel() {
		return bytes(this.prefix + "released");
	}

	/** The key holding the lease on a group's worker. */
	byte[] leaseKey(String group) {
		return bytes(this.prefix + "worker:" + group);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
