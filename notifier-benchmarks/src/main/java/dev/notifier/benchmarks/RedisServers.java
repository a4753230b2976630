package dev.notifier.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis servers of the benchmark's own, for the shard rounds of the cluster scenario: {@code redis-server} processes
 * on free ports, without persistence, each reporting the CPU time it has used and the commands it has processed
 * ({@code INFO}, through {@code redis-cli}). Needs both on the path.
 */
final class RedisServers implements AutoCloseable {

	private static final long START_TIMEOUT_MILLIS = 10_000;

	private final List<Integer> ports = new ArrayList<>();

	private final List<Process> processes = new ArrayList<>();

	private RedisServers() {
	}

	/** Starts servers and waits until each answers. */
	static RedisServers start(int count) throws IOException, InterruptedException {
		RedisServers servers = new RedisServers();
		try {
			for (int i = 0; i < count; i++) {
				servers.launch();
			}
			return servers;
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			servers.close();
			throw ex;
		}
	}

	private void launch() throws IOException, InterruptedException {
		int port;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		this.processes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start());
		this.ports.add(port);
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		while (!cli(port, "ping").contains("PONG")) {
			if (System.currentTimeMillis() > deadline) {
				throw new IOException("redis-server on port " + port + " did not answer");
			}
			TimeUnit.MILLISECONDS.sleep(50);
		}
	}

	/** The URL of a server, by its index. */
	String url(int index) {
		return "redis://127.0.0.1:" + this.ports.get(index);
	}

	/** What each server has done since it started, in the order of the servers. */
	List<Load> load() throws IOException, InterruptedException {
		List<Load> load = new ArrayList<>();
		for (int port : this.ports) {
			double seconds = 0;
			long commands = 0;
			for (String line : cli(port, "info").split("\r?\n")) {
				String value = line.substring(line.indexOf(':') + 1).trim();
				if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
					seconds += Double.parseDouble(value);
				}
				else if (line.startsWith("total_commands_processed:")) {
					commands = Long.parseLong(value);
				}
			}
			load.add(new Load(seconds, commands));
		}
		return load;
	}

	/**
	 * What a server has done.
	 * @param cpuSeconds CPU time, user and system
	 * @param commands commands processed, a PUBLISH each for a broadcast
	 */
	record Load(double cpuSeconds, long commands) {

		Load minus(Load earlier) {
			return new Load(this.cpuSeconds - earlier.cpuSeconds, this.commands - earlier.commands);
		}

	}

	private static String cli(int port, String... command) throws IOException, InterruptedException {
		List<String> arguments = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
		arguments.addAll(List.of(command));
		Process cli = new ProcessBuilder(arguments).redirectErrorStream(true).start();
		String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		cli.waitFor();
		return output;
	}

	@Override
	public void close() throws InterruptedException {
		for (Process process : this.processes) {
			process.destroy();
			if (!process.waitFor(5, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor();
			}
		}
	}

}
