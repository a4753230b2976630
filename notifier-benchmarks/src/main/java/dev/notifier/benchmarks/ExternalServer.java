package dev.notifier.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A server given on the command line, {@code --external=NAME=COMMAND}: any program that speaks the protocol of
 * docs/benchmarks.md with raw WebSocket subscribers at {@code /ws/<group>}. The suite runs the command with
 * {@code /bin/sh -c}, appending {@code --server.port=<port>}, and measures it in every scenario but the cluster's,
 * which takes notifier's cluster mode.
 * @param id the server's name
 * @param command the shell command that starts it
 */
record ExternalServer(String id, String command) implements Server {

	static final String OPTION = "--external=";

	/** The name becomes part of file names and of the report's tables. */
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

	/**
	 * Reads the value of an {@code --external=} option.
	 * @throws IllegalArgumentException with a message naming the option, if the value is not {@code NAME=COMMAND}
	 * with a name of its own and a command
	 */
	static ExternalServer parse(String value) {
		int separator = value.indexOf('=');
		if (separator < 0) {
			throw invalid(value, "expected NAME=COMMAND, such as --external=melody='/opt/melody-bench/server'");
		}
		String id = value.substring(0, separator).trim();
		String command = value.substring(separator + 1).trim();
		if (id.isEmpty()) {
			throw invalid(value, "the name before '=' is empty");
		}
		if (!NAME.matcher(id).matches()) {
			throw invalid(value, "the name '" + id + "' may hold only letters, digits, '.', '_' and '-'");
		}
		if (Arrays.stream(ServerKind.values()).anyMatch((kind) -> kind.id().equals(id))) {
			throw invalid(value, "'" + id + "' is a built-in server; give the outside server a name of its own");
		}
		if (command.isEmpty()) {
			throw invalid(value, "the command after '=' is empty");
		}
		return new ExternalServer(id, command);
	}

	private static IllegalArgumentException invalid(String value, String problem) {
		return new IllegalArgumentException(OPTION + value + ": " + problem);
	}

	/** The option as it would be given. */
	String option() {
		return OPTION + this.id + "=" + this.command;
	}

	/** The process to start: the command, through a shell, with the port appended as its last argument. */
	List<String> commandLine(int port) {
		return List.of("/bin/sh", "-c", this.command + " \"$@\"", this.id, "--server.port=" + port);
	}

	@Override
	public String webSocketPath() {
		return "/ws";
	}

	@Override
	public boolean stomp() {
		return false;
	}

	@Override
	public boolean runs(int scenario) {
		return Scenarios.ANY_SERVER.contains(scenario);
	}

	@Override
	public String description() {
		return "the outside server of " + option();
	}

}
