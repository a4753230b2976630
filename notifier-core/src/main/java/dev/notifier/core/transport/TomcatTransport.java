package dev.notifier.core.transport;

import java.io.EOFException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.OutboundMessage;
import dev.notifier.core.Transport;
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
 * that buffer to the connection's own non-blocking socket write ({@code SocketWrapperBase.write}, where Tomcat's
 * WebSocket writes end). A write the socket takes at once completes on the calling thread, the engine's writer;
 * only a write that has to wait for the peer completes later, on a thread of Tomcat's. (Tomcat's own WebSocket layer
 * hands the completion of every asynchronous write to its thread pool, a thread wake-up per write.) Tomcat
 * serializes the frames it writes by a semaphore ({@code messagePartInProgress}), which this transport holds from the
 * start of a write until its completion, so that a pong or a close frame Tomcat sends on its own never lands inside a
 * batch. Messages go out uncompressed even where the peer negotiated permessage-deflate, which RFC 7692 allows
 * message by message.
 *
 * <p>Those members are looked up once; where they are missing (another Tomcat version), {@link #supports} says no and
 * the caller uses {@link JakartaTransport}. Close frames go through the Jakarta API.
 */
public final class TomcatTransport implements Transport {

	private static final Logger logger = LoggerFactory.getLogger(TomcatTransport.class);

	private static final byte FINAL_TEXT = (byte) 0x81;

	private static final byte FINAL_BINARY = (byte) 0x82;

	private static final byte FINAL_PING = (byte) 0x89;

	/** Writes are numbered 1 to this, over and over: numbers {@link Integer#valueOf} has cached. */
	private static final int WRITE_NUMBERS = 127;

	private static final @Nullable Internals INTERNALS = Internals.find();

	/** Static, so that the JIT can trust it and inline the call. */
	private static final @Nullable MethodHandle SOCKET_WRITE = (INTERNALS != null) ? INTERNALS.socketWrite : null;

	private final JakartaTransport jakarta;

	/** Tomcat's {@code SocketWrapperBase} of the connection. */
	private final Object socket;

	/** Held by whoever writes a frame to this connection: Tomcat's own sends, and this transport's writes. */
	private final Semaphore framesInProgress;

	/** Tomcat's thread pool of this connection, for the rare wait behind a frame Tomcat itself is writing. */
	private final Executor container;

	private final Duration blockingSendTimeout;

	/**
	 * The number of the write in flight (1 to {@value #WRITE_NUMBERS}), 0 when none: whoever reports its outcome
	 * first, the socket or a close (which fails a write the socket never finished), takes it back to 0.
	 */
	private final AtomicInteger pending = new AtomicInteger();

	/** Hears the outcome of every write of this connection; the number of the write travels as its attachment. */
	private final CompletionHandler<Long, Object> completion = new WriteCompletion();

	/**
	 * The number of the last write started, and the callback of the write in flight. Both change only while
	 * {@code framesInProgress} is held, which orders them between the threads that start writes and complete them.
	 */
	private int lastWrite;

	private @Nullable SendCallback callback;

	private TomcatTransport(Session session, Duration blockingSendTimeout, Internals internals) {
		this.jakarta = new JakartaTransport(session, blockingSendTimeout);
		Object endpoint = internals.endpoint(session);
		this.socket = internals.socket(endpoint);
		this.framesInProgress = internals.framesInProgress(endpoint);
		this.container = internals.containerExecutor(this.socket);
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
		try {
			this.jakarta.close(status);
		}
		finally {
			// Tomcat closes the socket without telling a write still waiting for the peer: fail it here, so that its
			// session hears the outcome.
			int stuck = this.pending.get();
			if (stuck != 0) {
				finish(stuck, new EOFException("the connection was closed before the write finished"));
			}
		}
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

	/**
	 * Starts the write; the caller holds {@code framesInProgress}, which the write's completion releases.
	 *
	 * <p>Nothing here stores a new object into this transport, which lives as long as its connection: a write only
	 * numbers itself and passes the number, a cached {@code Integer}, as the attachment of the one completion handler.
	 * With G1, every store of a young object into an old one marks a card that the collector's refinement threads
	 * then scan: at one write per session per burst, a card per session and burst.
	 */
	private void startWrite(ByteBuffer frames, SendCallback callback) {
		if (this.callback != callback) {
			this.callback = callback;
		}
		int write = (this.lastWrite % WRITE_NUMBERS) + 1;
		this.lastWrite = write;
		this.pending.set(write);
		try {
			// No timeout: the engine's sweep enforces the send timeout itself. The completion state returned is not
			// needed: the handler hears every outcome.
			Object ignored = SOCKET_WRITE.invokeExact(this.socket, INTERNALS.semiBlock, -1L, TimeUnit.MILLISECONDS,
					(Object) Integer.valueOf(write), INTERNALS.completeWrite, this.completion,
					new ByteBuffer[] { frames });
		}
		catch (Throwable ex) {
			if (this.pending.compareAndSet(write, 0)) {
				this.framesInProgress.release();
			}
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
	}

	/** Tells the outcome of a write, once: the first of the socket and a close to report it wins. */
	private void finish(int write, @Nullable Throwable failure) {
		if (this.pending.compareAndSet(write, 0)) {
			SendCallback told = this.callback;
			this.framesInProgress.release();
			told.completed(failure);
		}
	}

	/** The outcome of a write, told by the socket; the attachment is the write's number. */
	private final class WriteCompletion implements CompletionHandler<Long, Object> {

		@Override
		public void completed(Long written, Object write) {
			finish((Integer) write, null);
		}

		@Override
		public void failed(Throwable failure, Object write) {
			finish((Integer) write, failure);
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

		final MethodHandle socketWrite;

		/** {@code SocketWrapperBase.BlockingMode.SEMI_BLOCK}: never blocks, as no other write is pending. */
		final Object semiBlock;

		/** {@code SocketWrapperBase.COMPLETE_WRITE_WITH_COMPLETION}: write it all, then tell the handler. */
		final Object completeWrite;

		private Internals(Class<?> serverEndpointType, Class<?> asyncRemoteType, Field base,
				Field messagePartInProgress, MethodHandle socketWrapper, MethodHandle execute, MethodHandle socketWrite,
				Object semiBlock, Object completeWrite) {
			this.serverEndpointType = serverEndpointType;
			this.asyncRemoteType = asyncRemoteType;
			this.base = base;
			this.messagePartInProgress = messagePartInProgress;
			this.socketWrapper = socketWrapper;
			this.execute = execute;
			this.socketWrite = socketWrite;
			this.semiBlock = semiBlock;
			this.completeWrite = completeWrite;
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
				Class<?> blockingMode = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase$BlockingMode",
						false, loader);
				Class<?> completionCheck = Class.forName(
						"org.apache.tomcat.util.net.SocketWrapperBase$CompletionCheck", false, loader);
				Method write = socketWrapperType.getMethod("write", blockingMode, long.class, TimeUnit.class,
						Object.class, completionCheck, CompletionHandler.class, ByteBuffer[].class);
				MethodHandle socketWrite = lookup.unreflect(write)
					.asType(MethodType.methodType(Object.class, Object.class, Object.class, long.class, TimeUnit.class,
							Object.class, Object.class, CompletionHandler.class, ByteBuffer[].class));
				Object semiBlock = blockingMode.getField("SEMI_BLOCK").get(null);
				Object completeWrite = socketWrapperType.getField("COMPLETE_WRITE_WITH_COMPLETION").get(null);
				return new Internals(serverEndpoint, asyncRemote, base, messagePartInProgress, socketWrapper, execute,
						socketWrite, semiBlock, completeWrite);
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

		Object socket(Object endpoint) {
			try {
				return (Object) this.socketWrapper.invokeExact(endpoint);
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		Executor containerExecutor(Object socket) {
			return (task) -> {
				try {
					this.execute.invokeExact(socket, task);
				}
				catch (RuntimeException | Error ex) {
					throw ex;
				}
				catch (Throwable ex) {
					throw new IllegalStateException(ex);
				}
			};
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
