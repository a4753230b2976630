package dev.notifier.autoconfigure;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.ClusterNode;
import dev.notifier.core.Delivery;
import dev.notifier.core.NotifierCluster;
import org.jspecify.annotations.Nullable;

/** A cluster of one that answers the monitoring questions as told. */
public final class StubCluster implements NotifierCluster {

	public volatile @Nullable String unavailable;

	@Override
	public void start(ClusterNode node) {
	}

	@Override
	public void stop() {
	}

	@Override
	public Delivery delivery(Delivery local) {
		return local;
	}

	@Override
	public void closed(@Nullable String group, CloseStatus status) {
	}

	@Override
	public void groupOccupied(String group) {
	}

	@Override
	public void groupEmptied(String group) {
	}

	@Override
	public boolean acquireWorker(String group) {
		return true;
	}

	@Override
	public void releaseWorker(String group) {
	}

	@Override
	public String instanceId() {
		return "stub-1";
	}

	@Override
	public @Nullable String unavailable() {
		return this.unavailable;
	}

}
