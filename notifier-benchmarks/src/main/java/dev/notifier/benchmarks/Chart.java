package dev.notifier.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

import dev.notifier.benchmarks.load.Round;

/**
 * Draws {@code benchmarks.png} with plain Java2D: delivered messages per second (linear) and p99 latency
 * (logarithmic, since the servers differ by orders of magnitude), the medians of the repetitions, grouped by scenario
 * round, one bar per server.
 */
final class Chart {

	private static final int WIDTH = 1400;

	private static final int PANEL_HEIGHT = 400;

	private static final int LEFT = 90;

	private static final int RIGHT = 20;

	private static final int TOP = 60;

	private static final int LABELS = 50;

	private static final Map<String, Color> COLORS = Map.of(ServerKind.NOTIFIER.id(), new Color(0x1F77B4),
			ServerKind.NOTIFIER_JETTY.id(), new Color(0x17BECF), ServerKind.NOTIFIER_PARALLEL_GC.id(),
			new Color(0xAEC7E8), ServerKind.NAIVE.id(), new Color(0xFF7F0E),
			ServerKind.STOMP.id(), new Color(0x2CA02C));

	/** The colours of outside servers, in the order they appear. */
	private static final List<Color> OTHER_COLORS = List.of(new Color(0x9467BD), new Color(0x8C564B),
			new Color(0xE377C2), new Color(0x7F7F7F));

	private final List<String> rounds;

	private final List<String> servers;

	private final Results results;

	private Chart(Results results) {
		this.results = results;
		this.rounds = new ArrayList<>(new LinkedHashSet<>(results.fanOuts.stream().map(Results.FanOut::name).toList()));
		this.servers = new ArrayList<>(
				new LinkedHashSet<>(results.fanOuts.stream().map(Results.FanOut::server).toList()));
	}

	static void write(Results results, Path file) throws IOException {
		BufferedImage image = new BufferedImage(WIDTH, TOP + 2 * (PANEL_HEIGHT + LABELS), BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, image.getWidth(), image.getHeight());
		Chart chart = new Chart(results);
		chart.legend(g);
		chart.panel(g, TOP, "Delivered messages per second, median (higher is better)", false,
				(row) -> row.figure(Round.Result::messagesPerSecond).median());
		chart.panel(g, TOP + PANEL_HEIGHT + LABELS, "p99 latency, ms, median, log scale (lower is better)", true,
				(row) -> row.figure((result) -> result.latencyMillis(99)).median());
		g.dispose();
		ImageIO.write(image, "png", file.toFile());
	}

	private void legend(Graphics2D g) {
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
		g.setColor(Color.BLACK);
		g.drawString("notifier benchmarks: scenario rounds by server", LEFT, 25);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
		int x = WIDTH - RIGHT - 120 * this.servers.size();
		for (String server : this.servers) {
			g.setColor(color(server));
			g.fillRect(x, 12, 14, 14);
			g.setColor(Color.BLACK);
			g.drawString(server, x + 20, 24);
			x += 120;
		}
	}

	private void panel(Graphics2D g, int top, String title, boolean logarithmic,
			ToDoubleFunction<Results.FanOut> metric) {
		int bottom = top + PANEL_HEIGHT - 30;
		int plotTop = top + 30;
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
		g.setColor(Color.BLACK);
		g.drawString(title, LEFT, top + 15);
		double max = 0;
		double min = Double.MAX_VALUE;
		for (Results.FanOut row : this.results.fanOuts) {
			double value = metric.applyAsDouble(row);
			max = Math.max(max, value);
			if (value > 0) {
				min = Math.min(min, value);
			}
		}
		if (max <= 0) {
			return;
		}
		Scale scale = logarithmic ? new Scale(Math.floor(Math.log10(min)), Math.ceil(Math.log10(max)), true)
				: new Scale(0, niceCeiling(max), false);
		axis(g, scale, plotTop, bottom);
		int groupWidth = (WIDTH - LEFT - RIGHT) / Math.max(1, this.rounds.size());
		int barWidth = Math.max(4, (groupWidth - 16) / Math.max(1, this.servers.size()));
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
		FontMetrics metrics = g.getFontMetrics();
		for (int i = 0; i < this.rounds.size(); i++) {
			int groupLeft = LEFT + i * groupWidth + 8;
			for (int s = 0; s < this.servers.size(); s++) {
				String round = this.rounds.get(i);
				String server = this.servers.get(s);
				double value = this.results.fanOuts.stream()
					.filter((row) -> row.name().equals(round) && row.server().equals(server))
					.mapToDouble(metric)
					.findFirst()
					.orElse(Double.NaN);
				if (Double.isNaN(value)) {
					continue;
				}
				int y = scale.y(value, plotTop, bottom);
				int x = groupLeft + s * barWidth;
				g.setColor(color(server));
				g.fillRect(x, y, barWidth - 2, bottom - y);
				g.setColor(Color.DARK_GRAY);
				String text = compact(value);
				g.drawString(text, x + (barWidth - 2 - metrics.stringWidth(text)) / 2, y - 3);
			}
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
			String round = this.rounds.get(i);
			int textWidth = g.getFontMetrics().stringWidth(round);
			g.drawString(round, LEFT + i * groupWidth + (groupWidth - textWidth) / 2, bottom + 18);
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
		}
	}

	private static void axis(Graphics2D g, Scale scale, int top, int bottom) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		FontMetrics metrics = g.getFontMetrics();
		List<Double> ticks = new ArrayList<>();
		if (scale.logarithmic) {
			for (double exponent = scale.low; exponent <= scale.high; exponent++) {
				ticks.add(Math.pow(10, exponent));
			}
		}
		else {
			for (int i = 0; i <= 5; i++) {
				ticks.add(scale.high * i / 5);
			}
		}
		for (double tick : ticks) {
			int y = scale.y(tick, top, bottom);
			g.setColor(new Color(0xE0E0E0));
			g.setStroke(new BasicStroke(1));
			g.drawLine(LEFT, y, WIDTH - RIGHT, y);
			g.setColor(Color.BLACK);
			String text = compact(tick);
			g.drawString(text, LEFT - 8 - metrics.stringWidth(text), y + 4);
		}
		g.drawLine(LEFT, top, LEFT, bottom);
		g.drawLine(LEFT, bottom, WIDTH - RIGHT, bottom);
	}

	private Color color(String server) {
		if (COLORS.containsKey(server)) {
			return COLORS.get(server);
		}
		List<String> others = this.servers.stream().filter((other) -> !COLORS.containsKey(other)).toList();
		return OTHER_COLORS.get(others.indexOf(server) % OTHER_COLORS.size());
	}

	/** 12,345 as "12k", 0.5 as "0.5". */
	private static String compact(double value) {
		if (value >= 1_000_000) {
			return String.format(Locale.ROOT, "%.1fM", value / 1_000_000);
		}
		if (value >= 10_000) {
			return String.format(Locale.ROOT, "%.0fk", value / 1_000);
		}
		if (value >= 1_000) {
			return String.format(Locale.ROOT, "%.1fk", value / 1_000);
		}
		if (value >= 10) {
			return String.format(Locale.ROOT, "%.0f", value);
		}
		return String.format(Locale.ROOT, "%.2g", value);
	}

	/** The smallest 1, 2 or 5 times a power of ten at or above the value. */
	private static double niceCeiling(double value) {
		double power = Math.pow(10, Math.floor(Math.log10(value)));
		for (double step : new double[] { 1, 2, 5, 10 }) {
			if (step * power >= value) {
				return step * power;
			}
		}
		return 10 * power;
	}

	/** A vertical axis: linear from {@code low} to {@code high}, or logarithmic between powers of ten. */
	private record Scale(double low, double high, boolean logarithmic) {

		int y(double value, int top, int bottom) {
			double position = this.logarithmic
					? (Math.log10(Math.max(value, Math.pow(10, this.low))) - this.low) / (this.high - this.low)
					: (value - this.low) / (this.high - this.low);
			return bottom - (int) Math.round(position * (bottom - top));
		}

	}

}
