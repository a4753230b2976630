package dev.notifier.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Redis server (shard) a group lives on, by consistent hashing: every shard owns {@link #POINTS} points on a
 * ring of 64-bit hashes, and a group belongs to the shard of the first point at or after the hash of its name. The
 * points depend only on the shard's position in the configured list, so every instance configured with the same list
 * in the same order places every group on the same shard; a shard added at the end takes about 1/n of the groups, all
 * from the others, and no group moves between the shards that were there. Immutable, safe from any thread.
 */
final class ShardRing {

	/** Points per shard: enough that the groups spread within a few percent of even. */
	static final int POINTS = 256;

	private final TreeMap<Long, Integer> ring = new TreeMap<>();

	private final int shards;

	/**
	 * A ring of shards {@code 0} to {@code shards - 1}.
	 */
	ShardRing(int shards) {
		if (shards < 1) {
			throw new IllegalArgumentException("shards must be at least 1");
		}
		this.shards = shards;
		for (int shard = 0; shard < shards; shard++) {
			for (int point = 0; point < POINTS; point++) {
				this.ring.put(hash("shard-" + shard + "#" + point), shard);
			}
		}
	}

	/** How many shards there are. */
	int size() {
		return this.shards;
	}

	/** The shard a group lives on. */
	int shard(String group) {
		if (this.shards == 1) {
			return 0;
		}
		Map.Entry<Long, Integer> point = this.ring.ceilingEntry(hash(group));
		return (point != null) ? point.getValue() : this.ring.firstEntry().getValue();
	}

	/** The first 8 bytes of the name's MD5: stable across JVMs and releases, unlike {@code String.hashCode}. */
	private static long hash(String name) {
		try {
			byte[] digest = MessageDigest.getInstance("MD5").digest(name.getBytes(StandardCharsets.UTF_8));
			return ByteBuffer.wrap(digest).getLong();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java platform has MD5", ex);
		}
	}

}
