package dev.notifier.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The suite's command line.
 * @param quick smaller counts, for a smoke run
 * @param profile whether every built-in server records a Java Flight Recording of its scenario
 * @param scenarios the scenarios to run, in order
 * @param servers the servers to run them on, in order: the built-in ones selected, then the outside ones
 * @param output where {@code benchmarks.md} and {@code benchmarks.png} are written
 * @param arguments the arguments as given, quoted in the report
 */
record Options(boolean quick, boolean profile, List<Integer> scenarios, List<Server> servers, Path output,
		List<String> arguments) {

	static final String USAGE = """
			Usage: java -jar notifier-benchmarks.jar [--quick] [--profile] [--scenarios=1,3] \
			[--servers=notifier,notifier-tuned,notifier-jetty,notifier-parallel-gc,naive,stomp] [--external=NAME=COMMAND]... [--out=docs]
			  --quick       smaller counts: a smoke run
			  --profile     each built-in server records a JFR file of its scenario, next to its log
			  --scenarios   which of the scenarios 1-9 to run (default: all)
			  --servers     which built-in servers to run them on (default: all six; none if empty)
			  --external    also measure an outside server of the protocol, started with COMMAND --server.port=N
			                (repeatable; NAME is its name in the report)
			  --out         the directory of benchmarks.md and benchmarks.png (default: docs)""";

	static Options parse(String[] args) {
		boolean quick = false;
		boolean profile = false;
		List<Integer> scenarios = Scenarios.ALL;
		List<Server> servers = List.of(ServerKind.values());
		List<ExternalServer> externals = new ArrayList<>();
		Path output = Path.of("docs");
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else if (arg.equals("--profile")) {
				profile = true;
			}
			else if (arg.startsWith("--scenarios=")) {
				scenarios = new ArrayList<>();
				for (String id : values(arg)) {
					scenarios.add(Integer.parseInt(id));
				}
			}
			else if (arg.startsWith("--servers=")) {
				servers = new ArrayList<>();
				for (String id : values(arg)) {
					servers.add(ServerKind.of(id));
				}
			}
			else if (arg.startsWith(ExternalServer.OPTION)) {
				ExternalServer external = ExternalServer.parse(arg.substring(ExternalServer.OPTION.length()));
				if (externals.stream().anyMatch((other) -> other.id().equals(external.id()))) {
					throw new IllegalArgumentException(arg + ": another " + ExternalServer.OPTION
							+ " option already names '" + external.id() + "'");
				}
				externals.add(external);
			}
			else if (arg.startsWith("--out=")) {
				output = Path.of(arg.substring("--out=".length()));
			}
			else {
				throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + USAGE);
			}
		}
		for (int scenario : scenarios) {
			if (!Scenarios.ALL.contains(scenario)) {
				throw new IllegalArgumentException("no scenario " + scenario + ": 1 to 9\n" + USAGE);
			}
		}
		List<Server> measured = new ArrayList<>(servers);
		measured.addAll(externals);
		return new Options(quick, profile, scenarios, List.copyOf(measured), output, List.of(args));
	}

	Sizes sizes() {
		return this.quick ? Sizes.quick() : Sizes.full();
	}

	/** The outside servers, which the suite checks before it runs anything. */
	List<ExternalServer> externals() {
		return this.servers.stream().filter(ExternalServer.class::isInstance).map(ExternalServer.class::cast).toList();
	}

	/** The comma-separated values of an option; none for {@code --servers=}, which leaves only outside servers. */
	private static List<String> values(String arg) {
		return Arrays.stream(arg.substring(arg.indexOf('=') + 1).split(","))
			.map(String::trim)
			.filter((value) -> !value.isEmpty())
			.toList();
	}

}
