package dev.notifier.core;

/**
 * What a group's history holds, for monitoring.
 *
 * @param group the group
 * @param epoch the epoch of its stream
 * @param firstOffset the offset of the oldest message kept; {@code lastOffset + 1} if none is kept
 * @param lastOffset the offset of the latest recorded broadcast, kept or not; 0 before the first
 * @param messages how many messages are kept
 * @param bytes the payload bytes kept
 */
public record HistoryInfo(String group, String epoch, long firstOffset, long lastOffset, int messages, long bytes) {
}
