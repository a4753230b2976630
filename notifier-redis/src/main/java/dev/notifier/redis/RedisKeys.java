package dev.notifier.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The names the cluster uses on the Redis server, all under the configured prefix: the pub/sub channels
 * {@code <prefix>all}, {@code <prefix>group:<group>}, {@code <prefix>users}, {@code <prefix>released} and
 * {@code <prefix>probe:<instance>}, the lease keys {@code <prefix>worker:<group>}, for presence the hashes
 * {@code <prefix>presence:<group>} and the keys {@code <prefix>instance:<incarnation>}, and for a group that keeps
 * history the stream {@code <prefix>history:<group>} and the hash {@code <prefix>history-meta:<group>} (its epoch and
 * latest offset).
 *
 * <p>On a Redis Cluster every name of a group carries the group as a hash tag, {@code {<group>}} (for example
 * {@code <prefix>history:{tasks/42}}), so that all of them, its sharded channel included, live in one slot: the
 * scripts that touch several of them then run on the one node that serves it, and the group's broadcasts travel
 * only through that node (sharded pub/sub). A group's presence there has an incarnation key of its own,
 * {@code <prefix>instance:{<group>}:<incarnation>}, in the same slot.
 * Immutable.
 */
final class RedisKeys {

	private final String prefix;

	private final byte[] allChannel;

	private final byte[] usersChannel;

	private final String groupChannelPrefix;

	private final boolean sharded;

	/**
	 * The names under a prefix.
	 * @param prefix what every name starts with
	 * @param sharded whether the server is a Redis Cluster: the names of a group then carry it as a hash tag
	 */
	RedisKeys(String prefix, boolean sharded) {
		this.prefix = prefix;
		this.sharded = sharded;
		this.allChannel = bytes(prefix + "all");
		this.usersChannel = bytes(prefix + "users");
		this.groupChannelPrefix = prefix + "group:";
	}

	/**
	 * The channel of a group, or of every group (an array shared by every call: never modify it).
	 * @param group the group, or {@code null} for the channel every instance listens to
	 */
	byte[] channel(@Nullable String group) {
		return (group != null) ? bytes(this.groupChannelPrefix + tagged(group)) : this.allChannel;
	}

	/**
	 * The channel of messages and closes for users, which every instance listens to (an array shared by every call:
	 * never modify it).
	 */
	byte[] usersChannel() {
		return this.usersChannel;
	}

	/**
	 * The group of a channel from {@link #channel}.
	 * @return the group, or {@code null} for the channel of every group and for {@link #usersChannel()}
	 */
	@Nullable String group(byte[] channel) {
		if (Arrays.equals(channel, this.allChannel) || Arrays.equals(channel, this.usersChannel)) {
			return null;
		}
		String group = new String(channel, StandardCharsets.UTF_8).substring(this.groupChannelPrefix.length());
		return this.sharded ? group.substring(1, group.length() - 1) : group;
	}

	/** Whether the names of a group carry it as a hash tag, for a Redis Cluster; its channel is then sharded. */
	boolean sharded() {
		return this.sharded;
	}

	/** The stream holding a group's history. */
	byte[] historyKey(String group) {
		return bytes(this.prefix + "history:" + tagged(group));
	}

	/** The hash holding the epoch and the latest offset of a group's history. */
	byte[] historyMetaKey(String group) {
		return bytes(this.prefix + "history-meta:" + tagged(group));
	}

	/** The hash holding the presence of a group: each instance's sessions of each user. */
	byte[] presenceKey(String group) {
		return bytes(this.prefix + "presence:" + tagged(group));
	}

	/**
	 * The key that exists while an incarnation of an instance is alive, for the presence of a group: the same key for
	 * every group, except on a Redis Cluster.
	 * @param group the group; only {@code null} off a Redis Cluster
	 */
	byte[] incarnationKey(@Nullable String group, byte[] incarnation) {
		byte[] prefix = incarnationKeyPrefix(group);
		byte[] key = Arrays.copyOf(prefix, prefix.length + incarnation.length);
		System.arraycopy(incarnation, 0, key, prefix.length, incarnation.length);
		return key;
	}

	/** What precedes an incarnation in its key, for the presence scripts of a group ({@code null} as above). */
	byte[] incarnationKeyPrefix(@Nullable String group) {
		if (this.sharded && group == null) {
			throw new IllegalArgumentException("on a Redis Cluster an incarnation has a key per group");
		}
		return bytes(this.prefix + "instance:" + ((group != null && this.sharded) ? tagged(group) + ":" : ""));
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
		return bytes(this.prefix + "worker:" + tagged(group));
	}

	/** A group as it appears in its names: as a hash tag on a Redis Cluster. */
	private String tagged(String group) {
		return this.sharded ? "{" + group + "}" : group;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
