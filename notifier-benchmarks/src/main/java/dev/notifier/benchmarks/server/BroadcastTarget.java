package dev.notifier.benchmarks.server;

/**
 * What differs between the benchmark servers: how one payload reaches every subscriber of a group, and how many
 * WebSocket sessions are open. Everything else ({@link BenchmarkEndpoints}) is shared, so the servers differ only here.
 */
public interface BroadcastTarget {

	/** Sends one text payload to every subscriber of the group, returning once the server has taken it. */
	void broadcast(String group, String payload);

	/** The WebSocket sessions open now. */
	int sessionCount();

	/**
	 * The socket writes the server has completed so far, each carrying one or more messages, or -1 for a server that
	 * does not count them.
	 */
	default long writes() {
		return -1;
	}

	/** The group workers running now, or -1 for a server that has no such thing. */
	default int workerCount() {
		return -1;
	}

}
