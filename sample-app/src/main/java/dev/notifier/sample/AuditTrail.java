package dev.notifier.sample;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.notifier.core.CloseStatus;
import dev.notifier.core.GroupNotifier;
import dev.notifier.core.NotifierListener;
import dev.notifier.core.NotifierSession;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Tells the admins who joins and leaves which group, in {@code admin/audit}: a group that only a signed-in admin may
 * join (see {@link SampleSecurity}), shown by the admin page. The admin groups have presence
 * ({@code notifier.presence.groups}), so it also tells when an admin arrives on an admin page (the first tab) and
 * departs (the last one), rather than every tab's join.
 */
@Component
class AuditTrail implements NotifierListener {

	static final String GROUP = "admin/audit";

	private final GroupNotifier notifier;

	AuditTrail(GroupNotifier notifier) {
		this.notifier = notifier;
	}

	@Override
	public void onConnect(NotifierSession session) {
		report(session, "joined", null);
	}

	@Override
	public void onDisconnect(NotifierSession session, CloseStatus status) {
		report(session, "left", status);
	}

	@Override
	public void onPresenceJoin(String group, String user) {
		report("arrived", group, user);
	}

	@Override
	public void onPresenceLeave(String group, String user) {
		report("departed", group, user);
	}

	private void report(String event, String group, String user) {
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("event", event);
		entry.put("group", group);
		entry.put("user", user);
		this.notifier.broadcast(GROUP, entry);
	}

	private void report(NotifierSession session, String event, @Nullable CloseStatus status) {
		if (session.group().startsWith("admin/")) {
			return;
		}
		Principal user = session.principal();
		Map<String, Object> entry = new LinkedHashMap<>();
		entry.put("event", event);
		entry.put("group", session.group());
		entry.put("user", (user != null) ? user.getName() : null);
		if (status != null) {
			entry.put("code", status.code());
		}
		this.notifier.broadcast(GROUP, entry);
	}

}
