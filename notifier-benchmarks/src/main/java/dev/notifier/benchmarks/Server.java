package dev.notifier.benchmarks;

/**
 * A server the suite measures, started as a process of its own for every scenario: one of the suite's own
 * ({@link ServerKind}) or one given on the command line ({@link ExternalServer}).
 */
sealed interface Server permits ServerKind, ExternalServer {

	/** The server's name in the log, the report and the names of its log files. */
	String id();

	/** Where subscribers connect: {@code <path>/<group>}, or the STOMP endpoint itself. */
	String webSocketPath();

	/** Whether subscribers speak STOMP 1.2 and SUBSCRIBE to {@code /topic/<group>}. */
	boolean stomp();

	/** Whether the server is measured in this scenario. */
	boolean runs(int scenario);

	/** The server as an error message names it. */
	String description();

}
