package dev.notifier.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A figure measured in several rounds: their median, which the report shows and judges, and the lowest and highest
 * round, which give its spread.
 */
record Figure(double median, double low, double high) {

	private static final Figure UNKNOWN = new Figure(Double.NaN, Double.NaN, Double.NaN);

	/** The figure of these rounds; unknown (NaN) if any round lacks it. */
	static <T> Figure of(List<T> rounds, ToDoubleFunction<T> metric) {
		double[] values = rounds.stream().mapToDouble(metric).sorted().toArray();
		if (values.length == 0 || Arrays.stream(values).anyMatch(Double::isNaN)) {
			return UNKNOWN;
		}
		int middle = values.length / 2;
		double median = (values.length % 2 == 1) ? values[middle] : (values[middle - 1] + values[middle]) / 2;
		return new Figure(median, values[0], values[values.length - 1]);
	}

	/**
	 * How far the farthest round lies from the median, as a fraction of the median: "±spread" covers every round.
	 * NaN for an unknown figure or a median of zero.
	 */
	double spread() {
		return (this.median != 0) ? Math.max(this.high - this.median, this.median - this.low) / Math.abs(this.median)
				: Double.NaN;
	}

}
