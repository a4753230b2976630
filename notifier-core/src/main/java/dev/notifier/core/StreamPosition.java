package dev.notifier.core;

/**
 * A place in a group's stream of broadcasts: the stream's epoch and the offset of a message in it. A client that
 * reconnects with the position of the last message it saw gets the messages after it, if the group still keeps them.
 *
 * <p>Offsets count a group's recorded broadcasts from 1 and never repeat within an epoch; the epoch changes whenever
 * the stream starts over (its history expired or was lost, as on a restart), so that a position from an earlier
 * stream is never taken for one of the current stream. Written as {@code <epoch>:<offset>}, as in the
 * {@value NotifierProtocol#RESUME_PARAMETER} query parameter.
 *
 * @param epoch the stream's epoch: letters and digits
 * @param offset the message's offset; 0 for a position before the stream's first message
 */
public record StreamPosition(String epoch, long offset) {

	private static final int MAX_EPOCH_LENGTH = 64;

	/**
	 * Checks the epoch and the offset.
	 * @throws IllegalArgumentException if the epoch is empty, too long or not made of letters and digits, or the
	 * offset is negative
	 */
	public StreamPosition {
		if (epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH || !epoch.chars().allMatch(StreamPosition::isEpochChar)) {
			throw new IllegalArgumentException("the epoch of a stream position is 1 to " + MAX_EPOCH_LENGTH
					+ " letters and digits, but got '" + epoch + "'");
		}
		if (offset < 0) {
			throw new IllegalArgumentException("the offset of a stream position must not be negative, but got " + offset);
		}
	}

	/**
	 * Reads a position written as {@code <epoch>:<offset>}.
	 * @throws IllegalArgumentException with a sentence for the client if it is not one
	 */
	public static StreamPosition parse(String text) {
		int colon = text.lastIndexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException("a stream position is written <epoch>:<offset>, but got '" + text + "'");
		}
		String offset = text.substring(colon + 1);
		if (offset.isEmpty() || offset.length() > 18 || !offset.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			throw new IllegalArgumentException(
					"the offset of a stream position is a number of at most 18 digits, but got '" + offset + "'");
		}
		return new StreamPosition(text.substring(0, colon), Long.parseLong(offset));
	}

	private static boolean isEpochChar(int c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}

	@Override
	public String toString() {
		return this.epoch + ":" + this.offset;
	}

}
