package dev.notifier.core.transport;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over Tomcat's WebSocket session that writes a backlog of messages in few socket writes, where
 * the Jakarta API makes every message a write of its own followed by a hand-off of its completion to Tomcat's thread
 * pool.
 *
 * <p>It drives Tomcat's message writer one level below the Jakarta API ({@code WsRemoteEndpointImplBase}'s
 * package-private {@code startMessage}, the method every Jakarta send ends in), for three things that API lacks:
 * <ul>
 * <li>text frames written from the message's UTF-8 bytes, encoded once per broadcast instead of once per session;</li>
 * <li>a non-blocking flush: a send with more to come is copied into Tomcat's per-session output buffer (its
 * batching mode, which completes the send at once) and the last of a backlog is followed by Tomcat's internal flush
 * message, written asynchronously; the Jakarta {@code flushBatch()} blocks until the peer has read the data;</li>
 * <li>a non-blocking ping.</li>
 * </ul>
 * Those members are looked up once; where they are missing (another Tomcat version), {@link #supports} says no and
 * the caller uses {@link JakartaTransport}. Close frames go through the Jakarta API, after writing out what is held.
 *
 * <p>Batching stays off while the engine has no backlog, so a lone message goes straight to the socket. While a
 * backlog is being written, frames Tomcat sends on its own (a pong, the reply to a peer's close frame) join the
 * buffer and go out with its flush; a peer that closes in that window gets the connection closed without the reply.
 */
public final class TomcatTransport implements Transport {

	private static final Logger logger = LoggerFactory.getLogger(TomcatTransport.class);

	private static final byte OPCODE_TEXT = 1;

	private static final byte OPCODE_BINARY = 2;

	private static final byte OPCODE_PING = 9;

	/** Tomcat's {@code Constants.INTERNAL_OPCODE_FLUSH}: writes out the output buffer. */
	private static final byte OPCODE_FLUSH = 24;

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private static final @Nullable Internals INTERNALS = Internals.find();

	/** Static, so that the JIT can trust it and inline the call. */
	private static final @Nullable MethodHandle START_MESSAGE = (INTERNALS != null) ? INTERNALS.startMessage : null;

	private final JakartaTransport jakarta;

	private final RemoteEndpoint.Async remote;

	/** Tomcat's {@code WsRemoteEndpointImplBase} of the session. */
	private final Object endpoint;

	/** Tomcat's own batching flag of that endpoint, switched without the blocking flush its setter does. */
	private final AtomicBoolean batching;

	private TomcatTransport(Session session, Duration blockingSendTimeout, Internals internals) {
		this.jakarta = new JakartaTransport(session, blockingSendTimeout);
		this.remote = session.getAsyncRemote();
		this.endpoint = internals.endpoint(this.remote);
		this.batching = internals.batching(this.endpoint);
	}

	/** Whether Tomcat is on the class path with the members this transport drives. */
	public static boolean isAvailable() {
		return INTERNALS != null;
	}

	/** Whether this session is Tomcat's and this Tomcat has the members this transport drives. */
	public static boolean supports(Session session) {
		return INTERNALS != null && INTERNALS.asyncRemoteType.isInstance(session.getAsyncRemote());
	}

	/**
	 * Adapts a Tomcat session.
	 * @param session the container's session, one that {@link #supports}
	 * @param blockingSendTimeout the longest a close frame may block
	 */
	public static TomcatTransport of(Session session, Duration blockingSendTimeout) {
		if (INTERNALS == null || !supports(session)) {
			throw new IllegalArgumentException("not a Tomcat WebSocket session this transport supports: " + session);
		}
		return new TomcatTransport(session, blockingSendTimeout, INTERNALS);
	}

	@Override
	public void send(OutboundMessage message, boolean more, SendCallback callback) {
		ByteBuffer payload = message.isText() ? message.textBytes() : message.binary();
		byte opcode = message.isText() ? OPCODE_TEXT : OPCODE_BINARY;
		if (more) {
			this.batching.set(true);
			start(opcode, payload, handler(callback));
		}
		else if (this.batching.get()) {
			start(opcode, payload, (result) -> {
				if (result.isOK()) {
					flush(callback);
				}
				else {
					callback.completed(result.getException());
				}
			});
		}
		else {
			start(opcode, payload, handler(callback));
		}
	}

	private void flush(SendCallback callback) {
		// Off before the flush, so that a lone message after it is written directly again.
		this.batching.set(false);
		start(OPCODE_FLUSH, null, handler(callback));
	}

	@Override
	public void sendPing(SendCallback callback) {
		start(OPCODE_PING, EMPTY.duplicate(), handler(callback));
	}

	@Override
	public void close(CloseStatus status) {
		try {
			// Tomcat would hold the close frame in the buffer with the rest and never write it.
			this.remote.setBatchingAllowed(false);
		}
		catch (IOException | RuntimeException ex) {
			// Already closed, or the peer stopped reading: the close below still has to happen.
			logger.debug("Could not write out held messages before closing with {}", status, ex);
		}
		this.jakarta.close(status);
	}

	private void start(byte opcode, @Nullable ByteBuffer payload, SendHandler handler) {
		try {
			START_MESSAGE.invokeExact(this.endpoint, opcode, payload, true, handler);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SendHandler handler(SendCallback callback) {
		return (result) -> callback.completed(result.isOK() ? null : result.getException());
	}

	/** The Tomcat members this transport drives, found once. */
	private static final class Internals {

		final Class<?> asyncRemoteType;

		private final Field base;

		private final Field batchingAllowed;

		final MethodHandle startMessage;

		private Internals(Class<?> asyncRemoteType, Field base, Field batchingAllowed, MethodHandle startMessage) {
			this.asyncRemoteType = asyncRemoteType;
			this.base = base;
			this.batchingAllowed = batchingAllowed;
			this.startMessage = startMessage;
		}

		static @Nullable Internals find() {
			try {
				ClassLoader loader = TomcatTransport.class.getClassLoader();
				Class<?> asyncRemote = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointAsync", false, loader);
				Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
				Class<?> endpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false,
						loader);
				Field base = remoteBase.getDeclaredField("base");
				base.setAccessible(true);
				Field batchingAllowed = endpoint.getDeclaredField("batchingAllowed");
				batchingAllowed.setAccessible(true);
				Method startMessage = endpoint.getDeclaredMethod("startMessage", byte.class, ByteBuffer.class,
						boolean.class, SendHandler.class);
				startMessage.setAccessible(true);
				MethodHandle handle = MethodHandles.lookup()
					.unreflect(startMessage)
					.asType(MethodType.methodType(void.class, Object.class, byte.class, ByteBuffer.class,
							boolean.class, SendHandler.class));
				return new Internals(asyncRemote, base, batchingAllowed, handle);
			}
			catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
				logger.debug("Tomcat's message writer is not available; Tomcat sessions use the Jakarta API", ex);
				return null;
			}
		}

		Object endpoint(RemoteEndpoint.Async remote) {
			try {
				return this.base.get(remote);
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException(ex);
			}
		}

		AtomicBoolean batching(Object endpoint) {
			try {
				return (AtomicBoolean) this.batchingAllowed.get(endpoint);
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
