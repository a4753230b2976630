package dev.notifier.benchmarks;

/**
 * The counts of every scenario: the full run's, and the quick smoke run's.
 *
 * <p>The full counts follow the issue where it fixes them (subscribers, groups, connections, cycles). Where it does
 * not, a round makes about 500,000 deliveries (scenario 1's burst, which the targets are judged on, and the cluster
 * scenario's, which is compared with it, 1,000,000), since every round runs {@link Scenarios#REPETITIONS} times:
 * the whole suite then takes about 25 minutes on two cores. Scenario 5 publishes 4 KB payloads so that each
 * subscriber is sent 4 MB, more than the ~2.8 MB the kernel buffers for a peer that does not read: fewer bytes and
 * the non-readers would never push back on the server at all.
 *
 * @param burstSubscribers scenario 1
 * @param burstMessages scenario 1
 * @param pacedMessages scenario 1, paced
 * @param pacedRate scenario 1, paced: messages per second
 * @param largeGroups scenario 2: subscribers of the one group, per round
 * @param largeGroupMessages scenario 2: messages per round
 * @param manyGroups scenario 3
 * @param manyGroupsSubscribers scenario 3: subscribers per group
 * @param manyGroupsMessages scenario 3: messages to every group
 * @param idleConnections scenario 4
 * @param slowReaders scenario 5: subscribers that read
 * @param slowNonReaders scenario 5: subscribers that never read
 * @param slowMessages scenario 5
 * @param slowSize scenario 5: payload bytes
 * @param slowChunk scenario 5: messages per publish request
 * @param churnCycles scenario 6
 * @param churnWarmUp scenario 6: cycles before the baseline is read
 * @param growthSubscribers scenario 7, per round
 * @param growthMessages scenario 7, per round
 * @param growthChunks scenario 7, per round: messages per publish request
 */
record Sizes(int burstSubscribers, int burstMessages, int pacedMessages, double pacedRate, int[] largeGroups,
		int[] largeGroupMessages, int manyGroups, int manyGroupsSubscribers, int manyGroupsMessages,
		int idleConnections, int slowReaders, int slowNonReaders, int slowMessages, int slowSize, int slowChunk,
		int churnCycles, int churnWarmUp, int[] growthSubscribers, int[] growthMessages, int[] growthChunks) {

	static Sizes full() {
		return new Sizes(1_000, 1_000, 100, 20, new int[] { 5_000, 10_000 }, new int[] { 100, 50 }, 1_000, 10, 50,
				10_000, 990, 10, 1_000, 4096, 100, 10_000, 1_000, new int[] { 100, 1_000, 10_000 },
				new int[] { 5_000, 500, 50 }, new int[] { 1_000, 500, 50 });
	}

	static Sizes quick() {
		return new Sizes(500, 200, 40, 20, new int[] { 2_000, 4_000 }, new int[] { 50, 25 }, 200, 10, 20, 2_000, 490,
				10, 200, 4096, 100, 1_000, 200, new int[] { 100, 1_000, 2_000 }, new int[] { 1_000, 100, 50 },
				new int[] { 1_000, 100, 50 });
	}

}
