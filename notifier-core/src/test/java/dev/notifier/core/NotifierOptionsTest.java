package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class NotifierOptionsTest {

	@Test
	void builderHoldsTheDocumentedDefaults() {
		NotifierOptions options = NotifierOptions.builder().build();

		assertThat(options.maxQueuedMessages()).isEqualTo(1024);
		assertThat(options.maxQueuedBytes()).isEqualTo(1024 * 1024);
		assertThat(options.overflow()).isEqualTo(OverflowPolicy.CLOSE);
		assertThat(options.sendTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(options.heartbeatInterval()).isEqualTo(Duration.ofSeconds(25));
		assertThat(options.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(options.maxInboundMessageSize()).isEqualTo(64 * 1024);
		assertThat(options.maxGroupLength()).isEqualTo(256);
		assertThat(options.heartbeatEnabled()).isTrue();
		assertThat(options.inboundRateLimited()).isFalse();
	}

	@Test
	void zeroHeartbeatIntervalDisablesHeartbeats() {
		assertThat(NotifierOptions.builder().heartbeatInterval(Duration.ZERO).build().heartbeatEnabled()).isFalse();
	}

	@Test
	void invalidSettingsAreRejectedWithTheirName() {
		assertThatIllegalArgumentException().isThrownBy(() -> NotifierOptions.builder().maxQueuedMessages(0).build())
			.withMessage("maxQueuedMessages must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> NotifierOptions.builder().maxQueuedBytes(0).build())
			.withMessage("maxQueuedBytes must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().sendTimeout(Duration.ZERO).build())
			.withMessage("sendTimeout must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().heartbeatInterval(Duration.ofSeconds(-1)).build())
			.withMessage("heartbeatInterval must not be negative");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().heartbeatTimeout(Duration.ZERO).build())
			.withMessage("heartbeatTimeout must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().maxInboundMessageSize(0).build())
			.withMessage("maxInboundMessageSize must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> NotifierOptions.builder().maxGroupLength(0).build())
			.withMessage("maxGroupLength must be positive");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().inboundRateLimit(-1, 1).build())
			.withMessage("inboundMessagesPerSecond must not be negative");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NotifierOptions.builder().inboundRateLimit(10, 0).build())
			.withMessage("inboundBurst must be positive");
	}

}
