package dev.notifier.autoconfigure;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * The per-user and per-address connection caps ({@code notifier.limits.max-connections-per-user} and
 * {@code notifier.limits.max-connections-per-address}). A handshake takes a {@link Slot} before it is accepted, and
 * the slot is given back once: by {@link NotifierHandshakeInterceptor} when the upgrade fails, or by
 * {@link NotifierWebSocketHandler} when the connection closes. A refused handshake takes none.
 *
 * <p>Safe to use from every request and container thread: each count is updated atomically in a
 * {@link ConcurrentHashMap}, which holds only the users and addresses that have connections.
 */
final class ConnectionLimits {

	private final @Nullable Counts perUser;

	private final @Nullable Counts perAddress;

	ConnectionLimits(@Nullable Integer maxPerUser, @Nullable Integer maxPerAddress) {
		this.perUser = (maxPerUser != null) ? new Counts(maxPerUser) : null;
		this.perAddress = (maxPerAddress != null) ? new Counts(maxPerAddress) : null;
	}

	/**
	 * Takes a slot for one more connection of this user from this address.
	 * @return the slot, or a refusal naming the limit that is reached
	 */
	Admission admit(@Nullable Principal principal, @Nullable InetSocketAddress remoteAddress) {
		String user = (this.perUser != null && principal != null) ? principal.getName() : null;
		String address = (this.perAddress != null && remoteAddress != null) ? hostOf(remoteAddress) : null;
		if (user != null && !this.perUser.tryAcquire(user)) {
			return Admission.refused(HandshakeRefusals.Reason.TOO_MANY_USER_CONNECTIONS,
					"too many connections for the user " + user + " (at most " + this.perUser.max + ")");
		}
		if (address != null && !this.perAddress.tryAcquire(address)) {
			if (user != null) {
				this.perUser.release(user);
			}
			return Admission.refused(HandshakeRefusals.Reason.TOO_MANY_ADDRESS_CONNECTIONS,
					"too many connections from " + address + " (at most " + this.perAddress.max + ")");
		}
		return new Admission(new Slot(user, address), null, null);
	}

	private static String hostOf(InetSocketAddress address) {
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	/**
	 * The outcome of {@link #admit}: a slot, or the reason of a refusal.
	 * @param slot the slot taken, {@code null} when refused
	 * @param refusal the limit reached, {@code null} when admitted
	 * @param reason why, for the client, {@code null} when admitted
	 */
	record Admission(@Nullable Slot slot, HandshakeRefusals.@Nullable Reason refusal, @Nullable String reason) {

		static Admission refused(HandshakeRefusals.Reason refusal, String reason) {
			return new Admission(null, refusal, reason);
		}

	}

	/** One connection's place under the limits. */
	final class Slot {

		private final @Nullable String user;

		private final @Nullable String address;

		private final AtomicBoolean released = new AtomicBoolean();

		private Slot(@Nullable String user, @Nullable String address) {
			this.user = user;
			this.address = address;
		}

		/** Gives the place back; only the first call counts, whichever thread makes it. */
		void release() {
			if (!this.released.compareAndSet(false, true)) {
				return;
			}
			if (this.user != null) {
				ConnectionLimits.this.perUser.release(this.user);
			}
			if (this.address != null) {
				ConnectionLimits.this.perAddress.release(this.address);
			}
		}

	}

	/** Connections by key; a key leaves the map when its last connection does. */
	private static final class Counts {

		private final int max;

		private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

		Counts(int max) {
			this.max = max;
		}

		boolean tryAcquire(String key) {
			boolean[] acquired = new boolean[1];
			this.counts.compute(key, (name, count) -> {
				int current = (count != null) ? count : 0;
				if (current >= this.max) {
					return count;
				}
				acquired[0] = true;
				return current + 1;
			});
			return acquired[0];
		}

		void release(String key) {
			this.counts.computeIfPresent(key, (name, count) -> (count > 1) ? count - 1 : null);
		}

	}

}
