package dev.notifier.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.awaitility.Awaitility;

/**
 * A redis-server process of the test's own, on a free port, without persistence, for tests that need several
 * servers (shards) or restart one; {@link #close()} stops it. The shared server of {@link TestRedis} is never started or stopped by
 * tests. Needs {@code redis-server} on the path, as CI has it.
 */
final class RedisServerProcess implements AutoCloseable {

	private final int port;

	private Process process;

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	private RedisServerProcess(int port, Process process) {
		this.port = port;
		this.process = process;
		this.client = RedisClient.create(RedisURI.create(url()));
		this.connection = Awaitility.await("redis-server on port " + port + " answers")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(this.client::connect, (connection) -> connection != null);
	}

	/** Starts a server and waits until it answers. */
	static RedisServerProcess start() throws IOException {
		int port;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		Process process = launch(port);
		try {
			return new RedisServerProcess(port, process);
		}
		catch (RuntimeException ex) {
			process.destroyForcibly();
			throw ex;
		}
	}

	private static Process launch(int port) throws IOException {
		return new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

	/**
	 * Stops the server and starts a new one on the same port, as a restart of a server that keeps nothing on disk:
	 * everything it held is gone. Returns once the new one answers.
	 */
	void restart() throws IOException, InterruptedException {
		stopProcess();
		this.process = launch(this.port);
		Awaitility.await("redis-server on port " + this.port + " answers again")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> "PONG".equals(commands().ping()));
	}

	String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/** Commands on the server, for the test's own checks. */
	RedisCommands<String, String> commands() {
		return this.connection.sync();
	}

	@Override
	public void close() throws InterruptedException {
		this.connection.close();
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		stopProcess();
	}

	private void stopProcess() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
	}

}
