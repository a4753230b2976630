package dev.notifier.core;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records what it hears, as readable lines such as {@code "connect chat/a"}. */
class RecordingListener implements NotifierListener {

	private final String pattern;

	final List<String> events = new CopyOnWriteArrayList<>();

	final List<String> texts = new CopyOnWriteArrayList<>();

	final List<byte[]> binaries = new CopyOnWriteArrayList<>();

	final List<CloseStatus> disconnects = new CopyOnWriteArrayList<>();

	final List<Throwable> errors = new CopyOnWriteArrayList<>();

	final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();

	RecordingListener() {
		this("**");
	}

	RecordingListener(String pattern) {
		this.pattern = pattern;
	}

	@Override
	public String groupPattern() {
		return this.pattern;
	}

	@Override
	public void onConnect(NotifierSession session) {
		this.events.add("connect " + session.group());
	}

	@Override
	public void onDisconnect(NotifierSession session, CloseStatus status) {
		this.disconnects.add(status);
		this.events.add("disconnect " + session.group() + " " + status.code());
	}

	@Override
	public void onTextMessage(NotifierSession session, String message) {
		this.texts.add(message);
		this.events.add("text " + session.group() + " " + message);
	}

	@Override
	public void onBinaryMessage(NotifierSession session, ByteBuffer message) {
		byte[] bytes = new byte[message.remaining()];
		message.get(bytes);
		this.binaries.add(bytes);
		this.events.add("binary " + session.group() + " " + bytes.length);
	}

	@Override
	public void onPong(NotifierSession session, ByteBuffer payload) {
		this.events.add("pong " + session.group());
	}

	@Override
	public void onError(NotifierSession session, Throwable error) {
		this.errors.add(error);
		this.events.add("error " + session.group() + " " + error.getMessage());
	}

	@Override
	public void onMessageSent(NotifierSession session, OutboundMessage message) {
		this.sent.add(message);
	}

	List<String> eventsStartingWith(String prefix) {
		return this.events.stream().filter((event) -> event.startsWith(prefix)).toList();
	}

}
