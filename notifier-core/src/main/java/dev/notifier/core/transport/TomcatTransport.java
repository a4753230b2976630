package dev.notifier.core.transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over Tomcat's WebSocket session that writes every message the engine hands over in one socket
 * write, where the Jakarta API makes every message a write of its own followed by a hand-off of its completion to
 * Tomcat's thread pool.
 *
 * <p>It frames the messages itself (server frames are unmasked: a two to ten byte header before each payload), text
 * from the message's UTF-8 bytes, encoded once per broadcast instead of once per session, into one buffer, and hands
 * that buffer to Tomcat's non-blocking socket write one level below the Jakarta API
 * ({@code WsRemoteEndpointImplBase.doWrite}, the method every Jakarta send ends in). Tomcat serializes the frames it
 * writes by a semaphore ({@code messagePartInProgress}), which this transport holds from the start of a write until
 * its completion, so that a pong or a close frame Tomcat sends on its own never lands inside a batch. Messages go out
 * uncompressed even where the peer negotiated permessage-deflate, which RFC 7692 allows message by message.
 *
 * <p>Those members are looked up once; where they are missing (another Tomcat version), {@link #supports} says no and
 * the caller uses {@link JakartaTransport}. Close frames go through the Jakarta API.
 */
public final class TomcatTransport implements Transport {

	private static final Logger logger = LoggerFactory.getLogger(TomcatTransport.class);

	private static final byte FINAL_TEXT = (byte) 0x81;

	private static final byte FINAL_BINARY = (byte) 0x82;

	private static final byte FINAL_PING = (byte) 0x89;

	private static final @Nullable Internals INTERNALS = Internals.find();

	/** Static, so that the JIT can trust it and inline the call. */
	private static final @Nullable MethodHandle DO_WRITE = (INTERNALS != null) ? INTERNALS.doWrite : null;

	private final JakartaTransport jakarta;

	/** Tomcat's {@code WsRemoteEndpointImplBase} of the session. */
	private final Object endpoint;

	/** Held by whoever writes a frame to this connection: Tomcat's own sends, and this transport's writes. */
	private final Semaphore framesInProgress;

	/** Tomcat's thread pool of this connection, for the rare wait behind a frame Tomcat itself is writing. */
	private final Executor container;

	private final Duration blockingSendTimeout;

	private TomcatTransport(Session session, Duration blockingSendTimeout, Internals internals) {
		this.jakarta = new JakartaTransport(session, blockingSendTimeout);
		this.endpoint = internals.endpoint(session);
		this.framesInProgress = internals.framesInProgress(this.endpoint);
		this.container = internals.containerExecutor(this.endpoint);
		this.blockingSendTimeout = blockingSendTimeout;
	}

	/** Whether Tomcat is on the class path with the members this transport drives. */
	public static boolean isAvailable() {
		return INTERNALS != null;
	}

	/** Whether this session is Tomcat's and this Tomcat has the members this transport drives. */
	public static boolean supports(Session session) {
		return INTERNALS != null && INTERNALS.serverEndpointType.isInstance(INTERNALS.endpointOrNull(session));
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
	public void send(List<OutboundMessage> messages, SendCallback callback) {
		write(frames(messages), callback);
	}

	@Override
	public void sendPing(SendCallback callback) {
		write(ByteBuffer.wrap(new byte[] { FINAL_PING, 0 }), callback);
	}

	@Override
	public void close(CloseStatus status) {
		this.jakarta.close(status);
	}

	private void write(ByteBuffer frames, SendCallback callback) {
		if (this.framesInProgress.tryAcquire()) {
			startWrite(frames, callback);
			return;
		}
		// Tomcat is writing a frame of its own (a pong, the reply to a close) with a blocking send: wait for it on one
		// of Tomcat's threads, as its blocking sends do, never on the engine's writer thread.
		this.container.execute(() -> {
			boolean acquired;
			try {
				acquired = this.framesInProgress.tryAcquire(this.blockingSendTimeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				acquired = false;
			}
			if (acquired) {
				startWrite(frames, callback);
			}
			else {
				callback.completed(new SocketTimeoutException("Tomcat's own frame did not finish within "
						+ this.blockingSendTimeout.toMillis() + "ms"));
			}
		});
	}

	/** Starts the write; the caller holds {@code framesInProgress}, which the write's completion releases. */
	private void startWrite(ByteBuffer frames, SendCallback callback) {
		SendHandler completion = (result) -> {
			this.framesInProgress.release();
			callback.completed(result.isOK() ? null : result.getException());
		};
		try {
			DO_WRITE.invokeExact(this.endpoint, completion, false, Long.MAX_VALUE, new ByteBuffer[] { frames });
		}
		catch (RuntimeException | Error ex) {
			this.framesInProgress.release();
			throw ex;
		}
		catch (Throwable ex) {
			this.framesInProgress.release();
			throw new IllegalStateException(ex);
		}
	}

	/** The messages as final, unmasked WebSocket frames, one after the other in one buffer. */
	static ByteBuffer frames(List<OutboundMessage> messages) {
		ByteBuffer[] payloads = new ByteBuffer[messages.size()];
		int length = 0;
		for (int i = 0; i < payloads.length; i++) {
			OutboundMessage message = messages.get(i);
			payloads[i] = message.isText() ? message.textBytes() : message.binary();
			length += headerLength(payloads[i].remaining()) + payloads[i].remaining();
		}
		ByteBuffer frames = ByteBuffer.allocate(length);
		for (int i = 0; i < payloads.length; i++) {
			int size = payloads[i].remaining();
			frames.put(messages.get(i).isText() ? FINAL_TEXT : FINAL_BINARY);
			if (size <= 125) {
				frames.put((byte) size);
			}
			else if (size <= 0xFFFF) {
				frames.put((byte) 126).putShort((short) size);
			}
			else {
				frames.put((byte) 127).putLong(size);
			}
			frames.put(payloads[i]);
		}
		return frames.flip();
	}

	private static int headerLength(int payloadLength) {
		return (payloadLength <= 125) ? 2 : (payloadLength <= 0xFFFF) ? 4 : 10;
	}

	/** The Tomcat members this transport drives, found once. */
	private static final class Internals {

		final Class<?> serverEndpointType;

		private final Class<?> asyncRemoteType;

		private final Field base;

		private final Field messagePartInProgress;

		private final MethodHandle socketWrapper;

		private final MethodHandle execute;

		final MethodHandle doWrite;

		private Internals(Class<?> serverEndpointType, Class<?> asyncRemoteType, Field base,
				Field messagePartInProgress, MethodHandle socketWrapper, MethodHandle execute, MethodHandle doWrite) {
			this.serverEndpointType = serverEndpointType;
			this.asyncRemoteType = asyncRemoteType;
			this.base = base;
			this.messagePartInProgress = messagePartInProgress;
			this.socketWrapper = socketWrapper;
			this.execute = execute;
			this.doWrite = doWrite;
		}

		static @Nullable Internals find() {
			try {
				ClassLoader loader = TomcatTransport.class.getClassLoader();
				Class<?> asyncRemote = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointAsync", false, loader);
				Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
				Class<?> endpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false,
						loader);
				Class<?> serverEndpoint = Class.forName(
						"org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer", false, loader);
				Class<?> socketWrapperType = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false,
						loader);
				Field base = accessible(remoteBase.getDeclaredField("base"));
				Field messagePartInProgress = accessible(endpoint.getDeclaredField("messagePartInProgress"));
				MethodHandles.Lookup lookup = MethodHandles.lookup();
				MethodHandle socketWrapper = lookup
					.unreflectGetter(accessible(serverEndpoint.getDeclaredField("socketWrapper")))
					.asType(MethodType.methodType(Object.class, Object.class));
				MethodHandle execute = lookup.unreflect(socketWrapperType.getMethod("execute", Runnable.class))
					.asType(MethodType.methodType(void.class, Object.class, Runnable.class));
				Method doWrite = endpoint.getDeclaredMethod("doWrite", SendHandler.class, boolean.class, long.class,
						ByteBuffer[].class);
				doWrite.setAccessible(true);
				MethodHandle handle = lookup.unreflect(doWrite)
					.asType(MethodType.methodType(void.class, Object.class, SendHandler.class, boolean.class,
							long.class, ByteBuffer[].class));
				return new Internals(serverEndpoint, asyncRemote, base, messagePartInProgress, socketWrapper, execute,
						handle);
			}
			catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
				logger.debug("Tomcat's message writer is not available; Tomcat sessions use the Jakarta API", ex);
				return null;
			}
		}

		private static Field accessible(Field field) {
			field.setAccessible(true);
			return field;
		}

		@Nullable Object endpointOrNull(Session session) {
			Object remote = session.getAsyncRemote();
			return this.asyncRemoteType.isInstance(remote) ? get(this.base, remote) : null;
		}

		Object endpoint(Session session) {
			return get(this.base, session.getAsyncRemote());
		}

		Semaphore framesInProgress(Object endpoint) {
			return (Semaphore) get(this.messagePartInProgress, endpoint);
		}

		Executor containerExecutor(Object endpoint) {
			try {
				Object wrapper = (Object) this.socketWrapper.invokeExact(endpoint);
				return (task) -> {
					try {
						this.execute.invokeExact(wrapper, task);
					}
					catch (RuntimeException | Error ex) {
						throw ex;
					}
					catch (Throwable ex) {
						throw new IllegalStateException(ex);
					}
				};
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		private static Object get(Field field, Object target) {
			try {
				return field.get(target);
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
