package dev.notifier.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.Promise;
import org.HdrHistogram.Recorder;

/**
 * The load generator: WebSocket subscribers multiplexed on a few Netty event-loop threads, so one process holds tens
 * of thousands of connections without a thread per connection. Connections are opened with a bounded number of
 * handshakes in flight, so the server's accept queue never overflows.
 */
public final class LoadGenerator implements AutoCloseable {

	/** Handshakes in flight at once while connecting. */
	private static final int MAX_PENDING_HANDSHAKES = 200;

	/** A non-reader's receive buffer: small, so that the server's writes to it back up quickly. */
	private static final int NON_READER_RECEIVE_BUFFER = 4096;

	private static final int MAX_FRAME_BYTES = 1 << 20;

	private static final long HANDSHAKE_TIMEOUT_MILLIS = 60_000;

	private final EventLoopGroup eventLoops;

	/**
	 * @param threads the event-loop threads; the machine's two cores are shared with the server, so one per core
	 */
	public LoadGenerator(int threads) {
		this.eventLoops = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
	}

	/**
	 * Connects one subscriber per entry of {@code groups} and waits until every one is subscribed or has failed.
	 * @param reader whether the subscribers read; non-readers stop reading once subscribed
	 * @throws IOException if not one of them could subscribe: a round would only measure nothing
	 */
	public Subscribers connect(Target target, List<String> groups, boolean reader, Deliveries deliveries)
			throws IOException, InterruptedException {
		Semaphore handshakes = new Semaphore(MAX_PENDING_HANDSHAKES);
		CountDownLatch settled = new CountDownLatch(groups.size());
		ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
		AtomicInteger failures = new AtomicInteger();
		AtomicReference<Throwable> firstFailure = new AtomicReference<>();
		for (String group : groups) {
			handshakes.acquire();
			Promise<Channel> subscribed = subscribe(target, group, reader, deliveries);
			subscribed.addListener((future) -> {
				if (future.isSuccess()) {
					channels.add(subscribed.getNow());
				}
				else {
					failures.incrementAndGet();
					firstFailure.compareAndSet(null, future.cause());
				}
				handshakes.release();
				settled.countDown();
			});
		}
		settled.await();
		if (channels.isEmpty() && !groups.isEmpty()) {
			throw new IOException("none of " + groups.size() + " subscribers could subscribe at "
					+ target.subscribeUri(groups.get(0)) + ": " + firstFailure.get(), firstFailure.get());
		}
		return new Subscribers(new ArrayList<>(channels), failures.get());
	}

	/**
	 * Opens and closes {@code cycles} subscribers, {@code concurrency} at a time, each in a group of its own
	 * ({@code groupPrefix} and the cycle's number): each connects, subscribes, then closes with a close handshake.
	 * Records the time from connect to subscribed.
	 * @return how many cycles failed
	 */
	public int churn(Target target, String groupPrefix, int cycles, int concurrency, Recorder subscribeMicros)
			throws InterruptedException {
		Semaphore inFlight = new Semaphore(concurrency);
		CountDownLatch done = new CountDownLatch(cycles);
		AtomicInteger failures = new AtomicInteger();
		Deliveries ignored = new Deliveries();
		for (int i = 0; i < cycles; i++) {
			inFlight.acquire();
			long startNanos = System.nanoTime();
			Promise<Channel> subscribed = subscribe(target, groupPrefix + i, true, ignored);
			subscribed.addListener((future) -> {
				if (!future.isSuccess()) {
					failures.incrementAndGet();
					inFlight.release();
					done.countDown();
					return;
				}
				subscribeMicros.recordValue((System.nanoTime() - startNanos) / 1_000);
				Channel channel = subscribed.getNow();
				channel.closeFuture().addListener((closed) -> {
					inFlight.release();
					done.countDown();
				});
				SubscriberHandler.close(channel);
			});
		}
		done.await();
		return failures.get();
	}

	private Promise<Channel> subscribe(Target target, String group, boolean reader, Deliveries deliveries) {
		URI uri = target.subscribeUri(group);
		Promise<Channel> subscribed = this.eventLoops.next().newPromise();
		WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
			.webSocketUri(uri)
			.version(WebSocketVersion.V13)
			.subprotocol(target.stomp() ? "v12.stomp" : null)
			.maxFramePayloadLength(MAX_FRAME_BYTES)
			.handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
			// The subscriber answers close frames itself, to tell the server's closes from its own.
			.handleCloseFrames(false)
			.sendCloseFrame(null)
			.dropPongFrames(true)
			.generateOriginHeader(false)
			// Payloads are ASCII by protocol: validating UTF-8 would only spend the cores the server needs.
			.withUTF8Validator(false)
			.build();
		Bootstrap bootstrap = new Bootstrap().group(this.eventLoops)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					if (target.eventStream()) {
						channel.pipeline()
							.addLast(new HttpClientCodec(),
									new EventStreamSubscriberHandler(uri, deliveries, subscribed));
						return;
					}
					channel.pipeline()
						.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
								new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(MAX_FRAME_BYTES),
								new SubscriberHandler(target, group, reader, deliveries, subscribed));
				}
			});
		if (!reader) {
			bootstrap.option(ChannelOption.SO_RCVBUF, NON_READER_RECEIVE_BUFFER);
		}
		bootstrap.connect(uri.getHost(), uri.getPort()).addListener((connected) -> {
			if (!connected.isSuccess()) {
				subscribed.tryFailure(connected.cause());
			}
		});
		return subscribed;
	}

	@Override
	public void close() {
		this.eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/** Connected subscribers. */
	public static final class Subscribers {

		private final List<Channel> channels;

		private final int failures;

		Subscribers(List<Channel> channels, int failures) {
			this.channels = channels;
			this.failures = failures;
		}

		/** How many subscribers are connected and subscribed. */
		public int connected() {
			return this.channels.size();
		}

		/** How many could not connect or subscribe. */
		public int failures() {
			return this.failures;
		}

		/** Closes every connection with a close handshake and waits for them to close. */
		public void close() throws InterruptedException {
			for (Channel channel : this.channels) {
				SubscriberHandler.close(channel);
			}
			for (Channel channel : this.channels) {
				channel.closeFuture().await();
			}
		}

	}

}
