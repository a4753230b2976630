package dev.notifier.core;

import org.jspecify.annotations.Nullable;

/**
 * A cluster of this instance alone, for tests that give the engine a cluster to watch one part of it: it delivers
 * locally, tells no one of closes and occupancy, and grants every worker lease. Tests override what they look at.
 */
abstract class OneInstanceCluster implements NotifierCluster {

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

}
