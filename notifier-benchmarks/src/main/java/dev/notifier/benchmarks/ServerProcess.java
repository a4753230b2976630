package dev.notifier.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.notifier.benchmarks.load.Control;
import dev.notifier.benchmarks.load.ServerStats;
import dev.notifier.benchmarks.load.Target;
import org.jspecify.annotations.Nullable;

/**
 * A benchmark server running as a child process: the load generator needs its own process, since one process may
 * hold only 20,000 open files and the 10,000-connection scenarios need that many on each side. An outside server's
 * command may start the server as a process of its own (a shell, {@code go run}), so the process is measured and
 * ended with its descendants.
 */
final class ServerProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

	/** Lines of a server's output an error message quotes. */
	private static final int QUOTED_LINES = 5;

	private final Server server;

	private final Process process;

	private final Target target;

	private final Path log;

	private final boolean profiled;

	private @Nullable String software;

	private ServerProcess(Server server, Process process, Target target, Path log, boolean profiled) {
		this.server = server;
		this.process = process;
		this.target = target;
		this.log = log;
		this.profiled = profiled;
	}

	Target target() {
		return this.target;
	}

	/** What the server said it runs on ({@code serverInfo} of {@code /stats}), or {@code null}. */
	@Nullable String software() {
		return this.software;
	}

	/** What went wrong in a scenario, and whether the server itself had exited (an out-of-memory exit, say). */
	String describe(Exception failure) {
		String description = String.valueOf(failure);
		return this.process.isAlive() ? description
				: description + "; " + this.server.description() + " had exited with " + this.process.exitValue()
						+ ", see " + this.log.getFileName();
	}

	/**
	 * The resident set size of the server's processes, from {@code /proc/<pid>/status} (Linux): the started process
	 * and its descendants, if its command started any.
	 */
	long rssBytes() throws IOException {
		long bytes = rssBytes(this.process.pid());
		for (ProcessHandle descendant : this.process.descendants().toList()) {
			try {
				bytes += rssBytes(descendant.pid());
			}
			catch (NoSuchFileException exited) {
				// A short-lived helper of the server's command, gone meanwhile.
			}
		}
		return bytes;
	}

	private static long rssBytes(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		// A zombie has no VmRSS line: it holds no memory.
		return 0;
	}

	/**
	 * Kills the server and its descendants: nothing of its shutdown is measured, and a stalled server might never
	 * finish one. A profiled server is first asked to exit, so that it writes its flight recording.
	 */
	@Override
	public void close() throws InterruptedException {
		List<ProcessHandle> descendants = this.process.descendants().toList();
		if (this.profiled) {
			this.process.destroy();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		this.process.destroyForcibly();
		descendants.forEach(ProcessHandle::destroyForcibly);
		this.process.waitFor(30, TimeUnit.SECONDS);
		for (ProcessHandle descendant : descendants) {
			descendant.onExit().completeOnTimeout(descendant, 30, TimeUnit.SECONDS).join();
		}
	}

	/**
	 * Starts servers: the built-in ones from the suite's own code, on the same class path when the suite runs
	 * unpackaged or, when it runs from this module's executable jar, on that jar extracted once (Spring Boot's
	 * {@code jarmode=tools extract --launcher}), which starts each server seconds faster than launching from nested
	 * jars; either way without the jars of the container the server does not run on. Outside servers with their own
	 * command.
	 */
	static final class Launcher {

		private final List<String> jvmFlags;

		private final boolean profile;

		private final Path workDirectory;

		private final Control control;

		private final List<Path> classPath;

		Launcher(List<String> jvmFlags, boolean profile, Path workDirectory, Control control)
				throws IOException, InterruptedException {
			this.jvmFlags = jvmFlags;
			this.profile = profile;
			this.workDirectory = workDirectory;
			this.control = control;
			this.classPath = suiteClassPath(workDirectory);
		}

		/**
		 * Starts the server and waits until it answers {@code /stats}.
		 * @param label what the process is for, the start of its log file's name
		 * @param arguments arguments of a built-in server beyond its port and its own
		 */
		ServerProcess start(Server server, String label, String... arguments) throws IOException, InterruptedException {
			int port = freePort();
			List<String> command;
			if (server instanceof ExternalServer external) {
				if (arguments.length > 0) {
					throw new IllegalArgumentException("an outside server takes no arguments but its port");
				}
				command = external.commandLine(port);
			}
			else {
				command = javaCommand((ServerKind) server, label, port, arguments);
			}
			Path log = this.workDirectory.resolve(label + "-" + server.id() + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			Target target = new Target(server.id(), "ws://127.0.0.1:" + port + server.webSocketPath(),
					"http://127.0.0.1:" + port, server.stomp());
			ServerProcess started = new ServerProcess(server, process, target, log,
					this.profile && server instanceof ServerKind);
			started.awaitReady(this.control);
			return started;
		}

		private List<String> javaCommand(ServerKind kind, String label, int port, String... arguments) {
			List<String> command = new ArrayList<>();
			command.add(java());
			command.addAll(this.jvmFlags);
			command.addAll(kind.jvmFlags);
			if (this.profile) {
				command.add("-XX:StartFlightRecording=settings=profile,filename="
						+ this.workDirectory.resolve(label + "-" + kind.id() + ".jfr"));
			}
			List<String> classPath = kind.container.classPath(this.classPath).stream().map(Path::toString).toList();
			command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), kind.mainClass.getName()));
			command.add("--server.port=" + port);
			command.add("--server.address=127.0.0.1");
			command.addAll(kind.arguments);
			command.addAll(List.of(arguments));
			return command;
		}

		/**
		 * The suite's class path as a list of entries; when the suite runs from its executable jar, that jar's
		 * exploded classes and libraries, in the launcher's order ({@code BOOT-INF/classpath.idx}).
		 */
		private static List<Path> suiteClassPath(Path workDirectory) throws IOException, InterruptedException {
			String classPath = System.getProperty("java.class.path");
			if (!classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
				return Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
			}
			Path extracted = workDirectory.resolve("app");
			Process extract = new ProcessBuilder(java(), "-Djarmode=tools", "-jar", classPath, "extract", "--launcher",
					"--destination", extracted.toString())
				.redirectErrorStream(true)
				.redirectOutput(workDirectory.resolve("extract.log").toFile())
				.start();
			if (extract.waitFor() != 0) {
				throw new IOException("could not extract " + classPath + "; see " + workDirectory.resolve("extract.log"));
			}
			List<Path> entries = new ArrayList<>();
			entries.add(extracted.resolve("BOOT-INF/classes"));
			// Lines such as: - "BOOT-INF/lib/spring-core-7.0.10.jar"
			for (String line : Files.readAllLines(extracted.resolve("BOOT-INF/classpath.idx"))) {
				entries.add(extracted.resolve(line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'))));
			}
			return entries;
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

	/**
	 * Waits until the server answers {@code /stats} as the protocol says. A refused connection means it is still
	 * starting; an answer that breaks the protocol, or an exit, ends the wait at once.
	 */
	private void awaitReady(Control control) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				close();
				throw new IOException(this.server.description() + " exited with " + this.process.exitValue()
						+ " before answering GET " + this.target.httpBase() + "/stats" + output());
			}
			try {
				ServerStats stats = control.stats(this.target, false);
				this.software = stats.software();
				return;
			}
			catch (ProtocolException ex) {
				close();
				throw new IOException(this.server.description() + " does not follow the protocol: " + ex.getMessage()
						+ output());
			}
			catch (IOException notYet) {
				Thread.sleep(200);
			}
		}
		close();
		throw new IOException(this.server.description() + " did not answer GET " + this.target.httpBase()
				+ "/stats within " + STARTUP_TIMEOUT.toSeconds() + " s" + output());
	}

	/** The last lines of the server's output, and where the rest is. */
	private String output() throws IOException {
		// Decoded leniently: an outside server may write anything.
		List<String> lines = new String(Files.readAllBytes(this.log), StandardCharsets.UTF_8).lines()
			.filter((line) -> !line.isBlank())
			.toList();
		List<String> last = lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size());
		return (last.isEmpty() ? "; it wrote nothing" : "; its output ends with:\n    " + String.join("\n    ", last))
				+ "\n  (" + this.log + ")";
	}

}
