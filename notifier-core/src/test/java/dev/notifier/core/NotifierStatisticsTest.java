package dev.notifier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class NotifierStatisticsTest extends EngineTestSupport {

	@Test
	void connectionsAreCountedWhenOpenedAndWhenClosedByCloseCode() {
		NotifierEngine engine = engine();
		Peer normal = open(engine, "a");
		Peer slow = open(engine, "a");
		open(engine, "b");

		normal.session().close(CloseStatus.NORMAL);
		slow.session().close(CloseStatus.SLOW_CONSUMER);
		normal.awaitClosedWith(1000);
		slow.awaitClosedWith(1013);

		NotifierStatistics statistics = engine.statistics();
		assertThat(statistics.connectionsOpened()).isEqualTo(3);
		eventually().until(() -> statistics.connectionsClosed(1000) == 1 && statistics.connectionsClosed(1013) == 1);
	}

	@Test
	void closeCodesNotCountedApartGoToOther() {
		NotifierEngine engine = engine();
		Peer peer = open(engine, "a");

		peer.session().close(new CloseStatus(4001, "custom"));

		eventually().until(() -> engine.statistics().connectionsClosed(NotifierStatistics.OTHER) == 1);
		assertThatIllegalArgumentException().isThrownBy(() -> engine.statistics().connectionsClosed(4001))
			.withMessageContaining("use OTHER");
	}

	@Test
	void sentMessagesCountTheirPayloadBytesAndBroadcastsAreTimed() {
		NotifierEngine engine = engine();
		open(engine, "a");
		open(engine, "a");

		engine.broadcast("a", "héllo");
		engine.broadcast("nobody", "x");
		flush(engine);

		NotifierStatistics statistics = engine.statistics();
		assertThat(statistics.messagesSent()).isEqualTo(2);
		assertThat(statistics.bytesSent()).isEqualTo(2 * 6);
		assertThat(statistics.broadcasts()).isEqualTo(2);
		assertThat(statistics.broadcastNanos()).isPositive();
	}

	@Test
	void closeCodesListsEveryBucket() {
		assertThat(NotifierStatistics.closeCodes()).containsExactly(1000, 1001, 1006, 1008, 1009, 1011, 1013,
				NotifierStatistics.OTHER);
	}

}
