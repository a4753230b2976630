package dev.notifier.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
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
 * <p>Every broadcast takes its group's next sequence number under the group's monitor, which also guards the group's
 * members and its pending broadcasts; so every member of a group sees the group's broadcasts in one order, however
 * many threads publish at once. Each member's {@link OutboundPipe} remembers the sequence number of the last
 * broadcast appended to it and skips any it already has, so that whichever thread appends a broadcast to a member
 * first, the member gets each broadcast once and in order. A session joining takes the group's latest sequence
 * number as its start, so it sees every later broadcast and no earlier one.
 *
 * <p><b>Who appends.</b> A group with fewer than {@link #LARGE_FAN_OUT} members, and every broadcast recorded in a
 * history, is appended to its members on the broadcasting thread, under the monitor, as the broadcast is made: no
 * I/O, listener or application code runs there. A larger group only queues the broadcast among its pending ones and
 * hands the appending to the writer threads ({@link WriteScheduler}): its members are split by the writer that owns
 * them into shares, and each writer appends what is pending to its share, a member at a time: every pending broadcast
 * to one member, then the next member. So a publisher that sends many messages quickly pays for none of the appending,
 * each member is touched once per pass rather than once per message, and the writer, which appends before it writes,
 * finds everything a member is owed in its queue when it writes it: one write instead of several. A pass takes at most
 * one write's worth of broadcasts ({@link OutboundPipe#MAX_BATCH_BYTES}), then the members it made ready are written
 * before the next pass. Pending broadcasts are bounded: once a group holds as many as a session may queue, the
 * broadcasting thread appends them itself.
 *
 * <p>A session's own messages and closes follow the group's broadcasts made before them on the same thread:
 * {@link #appendPending} appends what its group still owes it first.
 *
 * <p>Locks: group monitor, then pipe lock; a pass holds the monitor only to copy what it needs. The map is a
 * {@link ConcurrentHashMap}: a group exists while it has members; its last member removes it, under its monitor, and
 * marks it removed so that a session joining through a stale reference retries. A group gaining its first member or
 * losing its last is reported to {@link GroupOccupancy}, outside the monitor, which tells its listeners in order on a
 * thread of its own.
 */
final class GroupIndex {

	/**
	 * The group size from which the writers append a group's broadcasts to its members. Appending to one member takes
	 * a twentieth to a tenth of a microsecond, and writing to it ten or more (a system call). From a few hundred
	 * members on, appending on the broadcasting thread takes long enough that writers started on the first members
	 * write them before the broadcasts that follow have reached them, and write them again for the rest; and each
	 * member's objects are fetched once per broadcast rather than once per pass. Smaller groups are appended to within
	 * about a write's time, and gain nothing from the hand-off.
	 */
	static final int LARGE_FAN_OUT = 256;

	private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

	/** The sequence number the latest group started from; see {@link #newSequenceSeed()}. */
	private final AtomicLong lastSequenceSeed = new AtomicLong();

	private final GroupOccupancy occupancy;

	private final WriteScheduler writers;

	/** The most broadcasts, and bytes, a group keeps pending before the broadcasting thread appends them itself. */
	private final int maxPending;

	private final long maxPendingBytes;

	GroupIndex(GroupOccupancy occupancy, WriteScheduler writers, NotifierOptions options) {
		this.occupancy = occupancy;
		this.writers = writers;
		this.maxPending = options.maxQueuedMessages();
		this.maxPendingBytes = options.maxQueuedBytes();
	}

	/** Adds a session to its group, creating the group for its first member. */
	void join(DefaultNotifierSession session) {
		String name = session.group();
		while (true) {
			Group group = this.groups.computeIfAbsent(name,
					(created) -> new Group(newSequenceSeed(), this.writers.writerCount()));
			boolean first;
			synchronized (group) {
				if (group.removed) {
					continue;
				}
				first = group.size == 0;
				group.add(session, writerOf(session));
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
			if (!group.remove(session, writerOf(session))) {
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

	private int writerOf(DefaultNotifierSession session) {
		return this.writers.writerOf(session.writerSlot());
	}

	/**
	 * Sends a message to every member of a group but one, as the group's next broadcast.
	 * @param except the member left out, or {@code null}
	 * @return how many sessions the message was queued for; for a group of {@link #LARGE_FAN_OUT} members or more,
	 * how many it is addressed to, since the writers append it
	 */
	int deliver(String name, Envelope message, @Nullable NotifierSession except) {
		Group group = this.groups.get(name);
		return (group != null) ? deliver(group, message, except, null) : 0;
	}

	/**
	 * Sends a message to the members of a group that pass the filter, as the group's next broadcast. The filter is
	 * application code, so it runs before the group's monitor is taken, over the members of that moment.
	 * @return as {@link #deliver(String, Envelope, NotifierSession)}
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
		return deliver(group, message, null, accepted);
	}

	private int deliver(Group group, Envelope message, @Nullable NotifierSession except,
			@Nullable Set<NotifierSession> only) {
		int result;
		List<DefaultNotifierSession> overflowed = new ArrayList<>(0);
		List<Share> passes = null;
		boolean appendHere;
		synchronized (group) {
			if (group.removed) {
				return 0;
			}
			Entry entry = new Entry(++group.sequence, message, except, only);
			if (message.isRecorded() || group.size < LARGE_FAN_OUT) {
				// Recorded broadcasts are appended while their history's monitor is held: see OutboundPipe.
				Entry[] entries = group.pendingThen(entry);
				result = 0;
				for (Share share : group.shares) {
					result += appendTo(share.members, share.size, entries, overflowed);
					share.offeredThrough = group.sequence;
				}
				group.trim();
				appendHere = false;
			}
			else {
				result = group.addressed(entry);
				group.addPending(entry);
				for (Share share : group.shares) {
					if (share.size > 0 && !share.scheduled) {
						share.scheduled = true;
						passes = (passes != null) ? passes : new ArrayList<>(group.shares.length);
						passes.add(share);
					}
				}
				appendHere = group.pending.size() >= this.maxPending || group.pendingBytes >= this.maxPendingBytes;
			}
		}
		if (passes != null) {
			// Outside the monitor: once the engine has stopped its writers, a pass runs on the thread handing it over.
			passes.forEach((share) -> this.writers.schedule(share.writer, share));
		}
		closeOverflowed(overflowed);
		if (appendHere) {
			// The writers fall behind: the publisher does their appending rather than letting what is pending grow.
			for (Share share : group.shares) {
				appendPending(share, true);
			}
		}
		return result;
	}

	/**
	 * Appends to a session what its group's pending broadcasts still owe it, before the session is sent a message of
	 * its own or closed: any thread.
	 */
	void appendPending(DefaultNotifierSession session) {
		Group group = this.groups.get(session.group());
		if (group == null || group.pendingCount == 0) {
			return;
		}
		Entry[] entries;
		synchronized (group) {
			entries = group.pending.toArray(new Entry[0]);
		}
		if (session.appendBroadcasts(entries) == OutboundPipe.Offer.OVERFLOWED) {
			session.closeNow(CloseStatus.SLOW_CONSUMER);
		}
	}

	/**
	 * One pass of a share: appends its group's pending broadcasts to its members, a member at a time.
	 * @param whole whether to append everything pending, rather than one write's worth
	 */
	private void appendPending(Share share, boolean whole) {
		Group group = share.group;
		Entry[] entries;
		DefaultNotifierSession[] members;
		synchronized (group) {
			if (!whole) {
				share.scheduled = false;
			}
			entries = group.pendingAfter(share.offeredThrough, whole);
			if (entries.length == 0) {
				return;
			}
			members = Arrays.copyOf(share.members, share.size);
		}
		List<DefaultNotifierSession> overflowed = new ArrayList<>(0);
		appendTo(members, members.length, entries, overflowed);
		boolean again;
		synchronized (group) {
			share.offeredThrough = Math.max(share.offeredThrough, entries[entries.length - 1].sequence());
			group.trim();
			// Behind the writes of the members this pass made ready, which the writer's queue already holds.
			again = share.size > 0 && !share.scheduled && !group.pending.isEmpty()
					&& group.pending.peekLast().sequence() > share.offeredThrough;
			if (again) {
				share.scheduled = true;
			}
		}
		if (again) {
			this.writers.schedule(share.writer, share);
		}
		closeOverflowed(overflowed);
	}

	/**
	 * Appends broadcasts to the first {@code count} members, a member at a time, collecting those that overflowed.
	 * @return how many members the last broadcast was queued for
	 */
	private static int appendTo(DefaultNotifierSession[] members, int count, Entry[] entries,
			List<DefaultNotifierSession> overflowed) {
		int queued = 0;
		for (int i = 0; i < count; i++) {
			OutboundPipe.Offer offer = members[i].appendBroadcasts(entries);
			if (offer == OutboundPipe.Offer.QUEUED) {
				queued++;
			}
			else if (offer == OutboundPipe.Offer.OVERFLOWED) {
				overflowed.add(members[i]);
			}
		}
		return queued;
	}

	private static void closeOverflowed(List<DefaultNotifierSession> overflowed) {
		// Closing takes the member out of the group, under the monitor, which the caller no longer holds.
		overflowed.forEach((member) -> member.closeNow(CloseStatus.SLOW_CONSUMER));
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
	 * A broadcast in its group's order; it reaches every member but {@code except}, or only those in {@code only}.
	 */
	record Entry(long sequence, Envelope message, @Nullable NotifierSession except,
			@Nullable Set<NotifierSession> only) {

		boolean addressedTo(NotifierSession session) {
			return session != this.except && (this.only == null || this.only.contains(session));
		}

	}

	/**
	 * One group: its members, split into one share per writer, and the broadcasts not yet appended to every member.
	 * Guarded by its monitor but for {@link #count} and {@link #pendingCount}, which readers without it may find stale.
	 */
	private final class Group {

		final Share[] shares;

		private int size;

		private volatile int count;

		private long sequence;

		private boolean removed;

		final long incarnation;

		/** In sequence order; each stays until every share with members has appended it. */
		final ArrayDeque<Entry> pending = new ArrayDeque<>();

		long pendingBytes;

		volatile int pendingCount;

		Group(long seed, int writers) {
			this.sequence = seed;
			this.incarnation = seed;
			this.shares = new Share[writers];
			for (int i = 0; i < writers; i++) {
				this.shares[i] = new Share(this, i);
			}
		}

		void add(DefaultNotifierSession session, int writer) {
			Share share = this.shares[writer];
			if (share.size == 0) {
				// Nothing pending is owed to members this share does not have yet.
				share.offeredThrough = this.sequence;
			}
			session.joinedAt(this.sequence);
			share.add(session);
			this.size++;
			this.count = this.size;
		}

		boolean remove(DefaultNotifierSession session, int writer) {
			if (!this.shares[writer].remove(session)) {
				return false;
			}
			this.size--;
			this.count = this.size;
			trim();
			return true;
		}

		/** How many members a broadcast is addressed to, of the members of this moment. */
		int addressed(Entry entry) {
			if (entry.only() != null) {
				return entry.only().size();
			}
			return (entry.except() != null && contains(entry.except())) ? this.size - 1 : this.size;
		}

		private boolean contains(NotifierSession session) {
			return session instanceof DefaultNotifierSession member && member.groupSlot >= 0
					&& Arrays.stream(this.shares).anyMatch((share) -> share.holds(member));
		}

		void addPending(Entry entry) {
			this.pending.add(entry);
			this.pendingBytes += entry.message().sizeInBytes();
			this.pendingCount = this.pending.size();
		}

		/** Everything pending, then a broadcast that is appended at once. */
		Entry[] pendingThen(Entry entry) {
			if (this.pending.isEmpty()) {
				return new Entry[] { entry };
			}
			Entry[] entries = this.pending.toArray(new Entry[this.pending.size() + 1]);
			entries[entries.length - 1] = entry;
			return entries;
		}

		/** The pending broadcasts after a sequence number: all, or at least one and one write's worth. */
		Entry[] pendingAfter(long after, boolean whole) {
			List<Entry> entries = new ArrayList<>();
			long bytes = 0;
			for (Entry entry : this.pending) {
				if (entry.sequence() <= after) {
					continue;
				}
				bytes += entry.message().sizeInBytes();
				if (!whole && !entries.isEmpty() && bytes > OutboundPipe.MAX_BATCH_BYTES) {
					break;
				}
				entries.add(entry);
			}
			return entries.toArray(new Entry[0]);
		}

		/** Drops the pending broadcasts that every share with members has appended. */
		void trim() {
			if (this.pending.isEmpty()) {
				// Every small group's broadcast passes here: nothing to scan, and no volatile write.
				return;
			}
			long appended = this.sequence;
			for (Share share : this.shares) {
				if (share.size > 0) {
					appended = Math.min(appended, share.offeredThrough);
				}
			}
			while (!this.pending.isEmpty() && this.pending.peekFirst().sequence() <= appended) {
				this.pendingBytes -= this.pending.pollFirst().message().sizeInBytes();
			}
			this.pendingCount = this.pending.size();
		}

		DefaultNotifierSession[] snapshot() {
			synchronized (this) {
				DefaultNotifierSession[] all = new DefaultNotifierSession[this.size];
				int at = 0;
				for (Share share : this.shares) {
					System.arraycopy(share.members, 0, all, at, share.size);
					at += share.size;
				}
				return all;
			}
		}

	}

	/**
	 * The members of a group that one writer owns, in an array; a member knows its slot, so leaving moves the last
	 * member into it instead of shifting the array. Scheduled on its writer as a task, it appends its group's pending
	 * broadcasts to its members (one pass).
	 */
	private final class Share implements Runnable {

		final Group group;

		final int writer;

		DefaultNotifierSession[] members = new DefaultNotifierSession[2];

		int size;

		/** The sequence number through which every member has been appended the group's broadcasts. */
		long offeredThrough;

		/** Whether a pass is in its writer's queue. */
		boolean scheduled;

		Share(Group group, int writer) {
			this.group = group;
			this.writer = writer;
		}

		@Override
		public void run() {
			appendPending(this, false);
		}

		void add(DefaultNotifierSession session) {
			if (this.size == this.members.length) {
				this.members = Arrays.copyOf(this.members, this.size * 2);
			}
			session.groupSlot = this.size;
			this.members[this.size++] = session;
		}

		boolean holds(DefaultNotifierSession session) {
			int slot = session.groupSlot;
			return slot >= 0 && slot < this.size && this.members[slot] == session;
		}

		boolean remove(DefaultNotifierSession session) {
			if (!holds(session)) {
				return false;
			}
			int slot = session.groupSlot;
			DefaultNotifierSession last = this.members[--this.size];
			this.members[slot] = last;
			last.groupSlot = slot;
			this.members[this.size] = null;
			session.groupSlot = -1;
			if (this.size > 16 && this.size < this.members.length / 4) {
				this.members = Arrays.copyOf(this.members, this.members.length / 2);
			}
			return true;
		}

	}

}
