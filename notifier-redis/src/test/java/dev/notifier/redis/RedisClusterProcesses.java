package dev.notifier.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.awaitility.Awaitility;

/**
 * A Redis Cluster of the test's own: redis-server processes in cluster mode on free ports, without persistence, the
 * 16,384 slots split evenly between the masters, except those moved by {@link #moveSlot}, and as many replicas of
 * each as asked for; {@link #close()} stops them and deletes their files.
 * Needs {@code redis-server} 7 or later on the path, as CI has it.
 */
final class RedisClusterProcesses implements AutoCloseable {

	private static final int SLOTS = 16384;

	private final Path directory;

	private final List<Node> nodes = new ArrayList<>();

	private final int masters;

	private final List<Node> stopped = new ArrayList<>();

	/** The node of each slot moved away from where the even split put it. */
	private final Map<Integer, Integer> moved = new ConcurrentHashMap<>();

	private RedisClusterProcesses(Path directory, int masters) {
		this.directory = directory;
		this.masters = masters;
	}

	/** Starts masters without replicas, each node counted failing after 5 seconds without an answer. */
	static RedisClusterProcesses start(int masters) throws IOException {
		return start(masters, 0, Duration.ofSeconds(5));
	}

	/**
	 * Starts the masters and their replicas, assigns the slots, has every node meet the first, and waits until every
	 * node reports the cluster ok and every replica is in sync.
	 * @param nodeTimeout how long a node may not answer before the others count it failing (and a replica of a
	 * master takes over)
	 */
	static RedisClusterProcesses start(int masters, int replicasPerMaster, Duration nodeTimeout) throws IOException {
		RedisClusterProcesses cluster = new RedisClusterProcesses(Files.createTempDirectory("notifier-redis-cluster"),
				masters);
		int size = masters * (1 + replicasPerMaster);
		try {
			for (int index = 0; index < size; index++) {
				cluster.nodes.add(cluster.launch(index, masters, nodeTimeout));
			}
			Node first = cluster.nodes.get(0);
			for (Node node : cluster.nodes.subList(1, size)) {
				first.commands().clusterMeet("127.0.0.1", node.port());
			}
			Awaitility.await("the Redis Cluster's nodes know each other")
				.atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> cluster.nodes.stream()
					.allMatch((node) -> node.commands().clusterInfo().contains("cluster_known_nodes:" + size)));
			for (int index = masters; index < size; index++) {
				String master = cluster.nodes.get(index % masters).commands().clusterMyId();
				cluster.nodes.get(index).commands().clusterReplicate(master);
			}
			Awaitility.await("the Redis Cluster of " + size + " nodes is ok")
				.atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> cluster.nodes.stream()
					.allMatch((node) -> node.commands().clusterInfo().contains("cluster_state:ok")
							&& !node.commands().info("replication").contains("master_link_status:down")));
			return cluster;
		}
		catch (IOException | RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private Node launch(int index, int masters, Duration nodeTimeout) throws IOException {
		int port;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file",
				"nodes-" + port + ".conf", "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()), "--dir",
				this.directory.toString())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + port));
			StatefulRedisConnection<String, String> connection = Awaitility
				.await("redis-server on port " + port + " answers")
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.ignoreExceptions()
				.until(client::connect, (opened) -> opened != null);
			Node node = new Node(port, process, client, connection);
			if (index < masters) {
				node.commands()
					.clusterAddSlotsRange(Range.create(SLOTS * index / masters, SLOTS * (index + 1) / masters - 1));
			}
			return node;
		}
		catch (RuntimeException ex) {
			process.destroyForcibly();
			throw ex;
		}
	}

	/**
	 * Stops the master that serves the slot of a key or channel at start, as a crash: one of its replicas takes over
	 * once the others count it failing.
	 */
	void crashMasterOf(String keyOrChannel) {
		Node master = this.nodes.get(indexOf(SlotHash.getSlot(keyOrChannel)));
		master.stop();
		this.stopped.add(master);
	}

	/** Every node's address, as {@code spring.data.redis.cluster.nodes} takes them. */
	String nodes() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
	}

	/** Commands on the node that serves the slot of a key or sharded channel, for the test's own checks. */
	RedisCommands<String, String> nodeOf(String keyOrChannel) {
		return this.nodes.get(indexOf(SlotHash.getSlot(keyOrChannel))).commands();
	}

	/** The index of the node that serves a slot. */
	int indexOf(int slot) {
		Integer moved = this.moved.get(slot);
		if (moved != null) {
			return moved;
		}
		int index = this.masters - 1;
		while (SLOTS * index / this.masters > slot) {
			index--;
		}
		return index;
	}

	/**
	 * Gives a slot without keys to another node, as a resharding does ({@code CLUSTER SETSLOT <slot> NODE <id>} on
	 * every node): its sharded subscribers are told, with an {@code SUNSUBSCRIBE}.
	 */
	void moveSlot(int slot, int toIndex) {
		String target = this.nodes.get(toIndex).commands().clusterMyId();
		for (Node node : this.nodes) {
			node.commands().clusterSetSlotNode(slot, target);
		}
		this.moved.put(slot, toIndex);
	}

	/** Commands on each master as started, in the order of their slots. */
	List<RedisCommands<String, String>> masters() {
		return this.nodes.subList(0, this.masters).stream().map(Node::commands).toList();
	}

	@Override
	public void close() throws IOException {
		for (Node node : this.nodes) {
			if (!this.stopped.contains(node)) {
				node.stop();
			}
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
	}

	private record Node(int port, Process process, RedisClient client, StatefulRedisConnection<String, String> connection) {

		RedisCommands<String, String> commands() {
			return this.connection.sync();
		}

		void stop() {
			this.connection.close();
			this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
			this.process.destroy();
			try {
				if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
