package dev.notifier.redis;

import java.nio.charset.StandardCharsets;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The names on one server and on a Redis Cluster, where every name of a group must land in the group's slot.
 */
class RedisKeysTests {

	private final RedisKeys standalone = new RedisKeys("app:", false);

	private final RedisKeys sharded = new RedisKeys("app:", true);

	@Test
	void onOneServerTheNamesOfAGroupAreItsPlainName() {
		assertThat(text(this.standalone.channel("tasks/42"))).isEqualTo("app:group:tasks/42");
		assertThat(text(this.standalone.historyKey("tasks/42"))).isEqualTo("app:history:tasks/42");
		assertThat(text(this.standalone.incarnationKey(null, bytes("one/1")))).isEqualTo("app:instance:one/1");
		assertThat(this.standalone.group(this.standalone.channel("tasks/42"))).isEqualTo("tasks/42");
	}

	@Test
	void onARedisClusterEveryNameOfAGroupIsInTheSlotOfItsName() {
		int slot = SlotHash.getSlot("tasks/42");
		byte[][] names = { this.sharded.channel("tasks/42"), this.sharded.historyKey("tasks/42"),
				this.sharded.historyMetaKey("tasks/42"), this.sharded.presenceKey("tasks/42"),
				this.sharded.leaseKey("tasks/42"), this.sharded.incarnationKey("tasks/42", bytes("one/1")) };
		for (byte[] name : names) {
			assertThat(SlotHash.getSlot(name)).as(text(name)).isEqualTo(slot);
		}
		assertThat(text(this.sharded.channel("tasks/42"))).isEqualTo("app:group:{tasks/42}");
		assertThat(this.sharded.group(this.sharded.channel("tasks/42"))).isEqualTo("tasks/42");
		assertThat(this.sharded.group(this.sharded.channel(null))).isNull();
	}

	@Test
	void onARedisClusterAnIncarnationKeyNeedsItsGroup() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.sharded.incarnationKey(null, bytes("one/1")));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
