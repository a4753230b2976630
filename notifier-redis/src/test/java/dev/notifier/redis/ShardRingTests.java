package dev.notifier.redis;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Groups over shards by consistent hashing: the same on every instance, spread evenly, and moving as few groups as
 * possible when a shard is added.
 */
class ShardRingTests {

	private static final List<String> GROUPS = IntStream.range(0, 20_000).mapToObj((n) -> "tasks/" + n).toList();

	@Test
	void everyRingOfTheSameSizePlacesAGroupOnTheSameShard() {
		// Two instances build their rings independently: they must agree on every group.
		ShardRing one = new ShardRing(3);
		ShardRing other = new ShardRing(3);

		assertThat(GROUPS).allMatch((group) -> one.shard(group) == other.shard(group));
	}

	@Test
	void groupsSpreadEvenlyOverTheShards() {
		ShardRing ring = new ShardRing(2);

		long onFirst = GROUPS.stream().filter((group) -> ring.shard(group) == 0).count();

		assertThat((double) onFirst / GROUPS.size()).isBetween(0.42, 0.58);
	}

	@Test
	void aShardAddedAtTheEndTakesAboutAThirdOfTheGroupsAndNoGroupMovesBetweenTheOthers() {
		ShardRing two = new ShardRing(2);
		ShardRing three = new ShardRing(3);

		List<String> moved = GROUPS.stream().filter((group) -> two.shard(group) != three.shard(group)).toList();

		assertThat(moved).allMatch((group) -> three.shard(group) == 2);
		assertThat((double) moved.size() / GROUPS.size()).isBetween(0.25, 0.42);
	}

	@Test
	void oneShardTakesEveryGroup() {
		ShardRing ring = new ShardRing(1);

		assertThat(GROUPS).allMatch((group) -> ring.shard(group) == 0);
	}

}
