package dev.notifier.redis;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The rules of the settings, which the options themselves check, for an application that builds them in code and for
 * the auto-configuration, which reports them under its property names.
 */
class RedisClusterOptionsTests {

	@Test
	void aLeaseShorterThanTheMinimumIsRefusedNamingTheSettingAndTheMinimum() {
		assertThatExceptionOfType(RedisClusterOptions.InvalidOptionException.class)
			.isThrownBy(() -> options("notifier:", RedisClusterOptions.MIN_WORKER_LEASE.minusMillis(1)))
			.satisfies((ex) -> {
				assertThat(ex.option()).isEqualTo("workerLease");
				assertThat(ex.value()).isEqualTo(Duration.ofMillis(299));
				assertThat(ex.reason()).isEqualTo("must be at least 300ms");
			});
	}

	@Test
	void onARedisClusterAPrefixWithABraceIsRefusedAsItWouldChangeTheHashTags() {
		RedisClusterOptions options = options("shop{1}:", Duration.ofSeconds(10));

		assertThatExceptionOfType(RedisClusterOptions.InvalidOptionException.class)
			.isThrownBy(() -> RedisNotifierCluster.onRedisCluster(() -> {
				throw new AssertionError("never asked for a client");
			}, options))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("prefix"))
			.withMessageContaining("hash tag");
	}

	private static RedisClusterOptions options(String prefix, Duration lease) {
		return new RedisClusterOptions(prefix, "a", lease, Duration.ofSeconds(1), 1000, 100);
	}

}
