package dev.notifier.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.notifier.benchmarks.load.Control;
import dev.notifier.benchmarks.load.Target;

/**
 * A benchmark server running as a child JVM: the load generator needs its own process, since one process may hold
 * only 20,000 open files and the 10,000-connection scenarios need that many on each side.
 */
final class ServerProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	private final ServerKind kind;

	private final Process process;

	private final Target target;

	private final Path log;

	private final boolean profiled;

	private ServerProcess(ServerKind kind, Process process, Target target, Path log, boolean profiled) {
		this.kind = kind;
		this.process = process;
		this.target = target;
		this.log = log;
		this.profiled = profiled;
	}

	Target target() {
		return this.target;
	}

	/** What went wrong in a scenario, and whether the server itself had exited (an out-of-memory exit, say). */
	String describe(Exception failure) {
		String description = String.valueOf(failure);
		return this.process.isAlive() ? description
				: description + "; the " + this.kind.id + " server had exited with " + this.process.exitValue()
						+ ", see " + this.log.getFileName();
	}

	/** The resident set size of the server process, from {@code /proc/<pid>/status} (Linux). */
	long rssBytes() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(this.process.pid()), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		throw new IOException("no VmRSS for process " + this.process.pid());
	}

	/**
	 * Kills the server: nothing of its shutdown is measured, and a stalled server might never finish one. A profiled
	 * server is first asked to exit, so that it writes its flight recording.
	 */
	@Override
	public void close() throws InterruptedException {
		if (this.profiled) {
			this.process.destroy();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/**
	 * Starts servers from the suite's own code: the same class path when the suite runs unpackaged, or, when it runs
	 * from this module's executable jar, that jar extracted once (Spring Boot's {@code jarmode=tools extract}), which
	 * starts each server seconds faster than launching from nested jars.
	 */
	static final class Launcher {

		private final List<String> jvmFlags;

		private final boolean profile;

		private final Path workDirectory;

		private final Control control;

		private final String classPath;

		Launcher(List<String> jvmFlags, boolean profile, Path workDirectory, Control control)
				throws IOException, InterruptedException {
			this.jvmFlags = jvmFlags;
			this.profile = profile;
			this.workDirectory = workDirectory;
			this.control = control;
			this.classPath = childClassPath(workDirectory);
		}

		/** Starts the server with these extra arguments and waits until it answers {@code /stats}. */
		ServerProcess start(ServerKind kind, String label, String... arguments) throws IOException, InterruptedException {
			int port = freePort();
			List<String> command = new ArrayList<>();
			command.add(java());
			command.addAll(this.jvmFlags);
			command.addAll(kind.jvmFlags);
			if (this.profile) {
				command.add("-XX:StartFlightRecording=settings=profile,filename="
						+ this.workDirectory.resolve(label + "-" + kind.id + ".jfr"));
			}
			command.addAll(List.of("-cp", this.classPath, kind.mainClass.getName()));
			command.add("--server.port=" + port);
			command.add("--server.address=127.0.0.1");
			command.addAll(kind.arguments);
			command.addAll(List.of(arguments));
			Path log = this.workDirectory.resolve(label + "-" + kind.id + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			Target target = new Target(kind.id, "ws://127.0.0.1:" + port + kind.webSocketPath,
					"http://127.0.0.1:" + port, kind.stomp);
			ServerProcess server = new ServerProcess(kind, process, target, log, this.profile);
			server.awaitReady(this.control);
			return server;
		}

		private static String childClassPath(Path workDirectory) throws IOException, InterruptedException {
			String classPath = System.getProperty("java.class.path");
			if (!classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
				return classPath;
			}
			Path extracted = workDirectory.resolve("app");
			Process extract = new ProcessBuilder(java(), "-Djarmode=tools", "-jar", classPath, "extract",
					"--destination", extracted.toString())
				.redirectErrorStream(true)
				.redirectOutput(workDirectory.resolve("extract.log").toFile())
				.start();
			if (extract.waitFor() != 0) {
				throw new IOException("could not extract " + classPath + "; see " + workDirectory.resolve("extract.log"));
			}
			return extracted.resolve(Path.of(classPath).getFileName()).toString();
		}

		private static String java() {
			return Path.of(System.getProperty("java.home"), "bin", "java").toString();
		}

		private static int freePort() throws IOException {
			try (ServerSocket socket = new ServerSocket(0)) {
				return socket.getLocalPort();
			}
		}

	}

	private void awaitReady(Control control) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IOException(
						this.kind.id + " server exited with " + this.process.exitValue() + "; see " + this.log);
			}
			try {
				control.stats(this.target, false);
				return;
			}
			catch (IOException notYet) {
				Thread.sleep(200);
			}
		}
		close();
		throw new IOException(this.kind.id + " server did not start within " + STARTUP_TIMEOUT + "; see " + this.log);
	}

}
