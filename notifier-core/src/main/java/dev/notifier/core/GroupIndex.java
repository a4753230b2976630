package dev.notifier.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The open sessions of every group, and the one order of each group's broadcasts.
 *
 * <p>Locks: each group's monitor guards its members, its size and its sequence number. A broadcast holds it while it
 * takes the group's next sequence number and appends the message to every member's {@link OutboundPipe}, which only
 * appends and never writes: no I/O, listener or application code runs under it. So every member of a group sees the
 * group's broadcasts in one order, the order of their sequence numbers, however many threads publish at once; and a
 * session joining or leaving, which takes the same monitor, sees a broadcast either entirely or not at all. The map
 * itself is a {@link ConcurrentHashMap}: a group exists while it has members; its last member removes it, under its
 * monitor, and marks it removed so that a session joining through a stale reference retries.
 *
 * <p>A broadcast to a large group tells the writers ({@link WriteScheduler#fanOutStarted()}) for as long as it
 * appends, so that they give it the CPU between writes: see {@link #LARGE_FAN_OUT}.
 *
 * <p>Every method is safe to call from any thread. A group gaining its first member or losing its last is reported
 * to {@link GroupOccupancy}, outside the monitor, which tells its listeners in order on a thread of its own.
 */
final class GroupIndex {

	/**
	 * The group size from which a broadcast's appending is long enough to race the writers: appending to one member
	 * takes a twentieth to a tenth of a microsecond and writing one ten microseconds or more (a system call), so from
	 * a few hundred members on, a writer started on the first members writes many of them before the broadcast, and
	 * the broadcasts queued behind it, have reached them all; each of those writes carries part of what is coming and
	 * the member is written again for the rest. Smaller groups are appended to within about a write's time, and are
	 * not worth telling the writers about.
	 */
	static final int LARGE_FAN_OUT = 256;

	private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

	/** The sequence number the latest group started from; see {@link #newSequenceSeed()}. */
	private final AtomicLong lastSequenceSeed = new AtomicLong();

	private final GroupOccupancy occupancy;

	/** Told when a broadcast to a large group starts and ends appending. */
	private final WriteScheduler writers;

	GroupIndex(GroupOccupancy occupancy, WriteScheduler writers) {
		this.occupancy = occupancy;
		this.writers = writers;
	}

	/** Adds a session to its group, creating the group for its first member. */
	void join(DefaultNotifierSession session) {
		String name = session.group();
		while (true) {
			Group group = this.groups.computeIfAbsent(name, (created) -> new Group(newSequenceSeed()));
			boolean first;
			synchronized (group) {
				if (group.removed) {
					continue;
				}
				first = group.size == 0;
				group.add(session);
			}
			if (first) {
				this.occupancy.changed(name);
			}
			return;
		}
	}

	/** Takes a session out of its group, removing the group with its last member; harmless if it is not in it. */
	void leave(DefaultNotifierSession session) {
		String name = session.group();
		Group group = this.groups.get(name);
		if (group == null) {
			return;
		}
		boolean emptied;
		synchronized (group) {
			if (!group.remove(session)) {
				return;
			}
			emptied = group.size == 0;
			if (emptied) {
				group.removed = true;
				this.groups.remove(name, group);
			}
		}
		if (emptied) {
			this.occupancy.changed(name);
		}
	}

	/**
	 * Appends a message to every member of a group but one, as the group's next broadcast.
	 * @param except the member left out, or {@code null}
	 * @return how many sessions the message was queued for
	 */
	int deliver(String name, Envelope message, @Nullable NotifierSession except) {
		return deliver(this.groups.get(name), message, (session) -> session != except);
	}

	/**
	 * Appends a message to the members of a group that pass the filter, as the group's next broadcast. The filter is
	 * application code, so it runs before the group's monitor is taken, over the members of that moment.
	 * @return how many sessions the message was queued for
	 */
	int deliverFiltered(String name, Envelope message, Predicate<? super NotifierSession> filter) {
		Group group = this.groups.get(name);
		if (group == null) {
			return 0;
		}
		Set<NotifierSession> accepted = Collections.newSetFromMap(new IdentityHashMap<>());
		for (DefaultNotifierSession member : group.snapshot()) {
			if (filter.test(member)) {
				accepted.add(member);
			}
		}
		return deliver(group, message, accepted::contains);
	}

	private int deliver(@Nullable Group group, Envelope message, Predicate<NotifierSession> accept) {
		if (group == null) {
			return 0;
		}
		int queued = 0;
		List<DefaultNotifierSession> overflowed = null;
		// The size read without the monitor may be stale by a few members: it only decides whether the writers hear.
		boolean large = group.count >= LARGE_FAN_OUT;
		if (large) {
			this.writers.fanOutStarted();
		}
		try {
			synchronized (group) {
				if (group.removed) {
					return 0;
				}
				group.sequence++;
				for (int i = 0; i < group.size; i++) {
					DefaultNotifierSession member = group.members[i];
					if (accept.test(member)) {
						OutboundPipe.Offer offer = member.offerBroadcast(message);
						if (offer == OutboundPipe.Offer.QUEUED) {
							queued++;
						}
						else if (offer == OutboundPipe.Offer.OVERFLOWED) {
							overflowed = (overflowed != null) ? overflowed : new ArrayList<>();
							overflowed.add(member);
						}
					}
				}
			}
		}
		finally {
			if (large) {
				this.writers.fanOutEnded();
			}
		}
		if (overflowed != null) {
			// Closing takes the member out of the group, under the monitor released above.
			overflowed.forEach((member) -> member.closeNow(CloseStatus.SLOW_CONSUMER));
		}
		return queued;
	}

	/**
	 * The current incarnation of a group: a number that no earlier incarnation of it had (the sequence number it
	 * started from), or 0 while it has no member.
	 */
	long incarnation(String name) {
		Group group = this.groups.get(name);
		return (group != null) ? group.incarnation : 0;
	}

	int sessionCount(String name) {
		Group group = this.groups.get(name);
		return (group != null) ? group.count : 0;
	}

	List<NotifierSession> sessions(String name) {
		Group group = this.groups.get(name);
		return (group != null) ? List.of(group.snapshot()) : List.of();
	}

	/** The members of every group, at some moment per group. */
	List<DefaultNotifierSession> allSessions() {
		List<DefaultNotifierSession> all = new ArrayList<>();
		for (Group group : this.groups.values()) {
			all.addAll(Arrays.asList(group.snapshot()));
		}
		return all;
	}

	Set<String> names() {
		return Set.copyOf(this.groups.keySet());
	}

	int groupCount() {
		return this.groups.size();
	}

	/** The sequence number of a group's latest broadcast, or 0 for a group with no members. */
	long sequence(String name) {
		Group group = this.groups.get(name);
		if (group == null) {
			return 0;
		}
		synchronized (group) {
			return group.removed ? 0 : group.sequence;
		}
	}

	/**
	 * The first sequence number of a group coming into existence. Nothing is kept for a group once it empties, so it
	 * starts from the wall clock in microseconds: a later incarnation of a group starts above every number of an
	 * earlier one unless the earlier one averaged more than one broadcast per microsecond (a million a second) over
	 * its whole life. {@code max} with the last seed plus one keeps seeds increasing if the clock steps back.
	 */
	private long newSequenceSeed() {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
		return this.lastSequenceSeed.accumulateAndGet(micros, (last, clock) -> Math.max(last + 1, clock));
	}

	/**
	 * One group's members, in an array that a broadcast walks under the monitor; a member knows its slot, so leaving
	 * moves the last member into it instead of shifting the array.
	 */
	private static final class Group {

		private DefaultNotifierSession[] members = new DefaultNotifierSession[2];

		private int size;

		/** The size, for readers that take no monitor. */
		private volatile int count;

		private long sequence;

		private boolean removed;

		final long incarnation;

		Group(long seed) {
			this.sequence = seed;
			this.incarnation = seed;
		}

		void add(DefaultNotifierSession session) {
			if (this.size == this.members.length) {
				this.members = Arrays.copyOf(this.members, this.size * 2);
			}
			session.groupSlot = this.size;
			this.members[this.size++] = session;
			this.count = this.size;
		}

		boolean remove(DefaultNotifierSession session) {
			int slot = session.groupSlot;
			if (slot < 0 || slot >= this.size || this.members[slot] != session) {
				return false;
			}
			DefaultNotifierSession last = this.members[--this.size];
			this.members[slot] = last;
			last.groupSlot = slot;
			this.members[this.size] = null;
			session.groupSlot = -1;
			this.count = this.size;
			if (this.size > 16 && this.size < this.members.length / 4) {
				this.members = Arrays.copyOf(this.members, this.members.length / 2);
			}
			return true;
		}

		synchronized DefaultNotifierSession[] snapshot() {
			return Arrays.copyOf(this.members, this.size);
		}

	}

}
