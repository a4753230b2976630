package dev.notifier.sample;

import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;

import org.springframework.stereotype.Component;

/**
 * melody's chat: every text a client sends to {@code chat/<room>} goes to everyone in that room, sender included.
 */
@Component
class ChatRooms implements NotifierListener {

	private final GroupNotifier notifier;

	ChatRooms(GroupNotifier notifier) {
		this.notifier = notifier;
	}

	@Override
	public String groupPattern() {
		return "chat/*";
	}

	@Override
	public void onTextMessage(NotifierSession session, String message) {
		this.notifier.broadcast(session.group(), message);
	}

}
