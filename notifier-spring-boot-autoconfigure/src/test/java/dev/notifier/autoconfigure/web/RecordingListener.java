package dev.notifier.autoconfigure.web;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;

/**
 * A {@link NotifierListener} bean that records what the engine tells it, for tests that check what reached the
 * application: connects, whole inbound messages, pongs and disconnects. Listens to every group.
 */
final class RecordingListener implements NotifierListener {

	private final List<String> texts = new ArrayList<>();

	private final List<byte[]> binaries = new ArrayList<>();

	private final Map<String, AtomicInteger> pongs = new ConcurrentHashMap<>();

	private final Map<String, CloseStatus> disconnects = new ConcurrentHashMap<>();

	private final Set<String> connects = ConcurrentHashMap.newKeySet();

	@Override
	public void onConnect(NotifierSession session) {
		this.connects.add(session.id());
	}

	@Override
	public synchronized void onTextMessage(NotifierSession session, String message) {
		this.texts.add(message);
	}

	@Override
	public synchronized void onBinaryMessage(NotifierSession session, ByteBuffer message) {
		byte[] bytes = new byte[message.remaining()];
		message.get(bytes);
		this.binaries.add(bytes);
	}

	@Override
	public void onPong(NotifierSession session, ByteBuffer payload) {
		this.pongs.computeIfAbsent(session.id(), (id) -> new AtomicInteger()).incrementAndGet();
	}

	@Override
	public void onDisconnect(NotifierSession session, CloseStatus status) {
		this.disconnects.put(session.id(), status);
	}

	/** The whole text messages received, in order. */
	synchronized List<String> texts() {
		return List.copyOf(this.texts);
	}

	/** The whole binary messages received, in order. */
	synchronized List<byte[]> binaries() {
		return List.copyOf(this.binaries);
	}

	/** The pongs received from a session. */
	int pongs(NotifierSession session) {
		AtomicInteger count = this.pongs.get(session.id());
		return (count != null) ? count.get() : 0;
	}

	/** Whether a session was reported connected. */
	boolean connected(NotifierSession session) {
		return this.connects.contains(session.id());
	}

	/** The status a session was reported closed with, or {@code null} while it is not. */
	CloseStatus disconnect(NotifierSession session) {
		return this.disconnects.get(session.id());
	}

	/** Forgets everything, between tests sharing an application context. */
	synchronized void clear() {
		this.texts.clear();
		this.binaries.clear();
		this.pongs.clear();
		this.disconnects.clear();
		this.connects.clear();
	}

}
