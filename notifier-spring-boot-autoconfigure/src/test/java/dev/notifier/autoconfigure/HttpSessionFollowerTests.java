package dev.notifier.autoconfigure;

import dev.notifier.core.NotifierSession;
import jakarta.servlet.http.HttpSessionEvent;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpSession;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/** {@link HttpSessionFollower}: the sessions of an HTTP session that ends are closed with 1008 "session ended". */
class HttpSessionFollowerTests {

	private final HttpSessionFollower follower = new HttpSessionFollower();

	@Test
	void anEndedHttpSessionClosesItsSessions() {
		MockHttpSession login = new MockHttpSession(null, "login-1");
		NotifierSession first = mock(NotifierSession.class);
		NotifierSession second = mock(NotifierSession.class);
		this.follower.opened(login, first);
		this.follower.opened(login, second);

		this.follower.sessionDestroyed(new HttpSessionEvent(login));

		verify(first).close(HttpSessionFollower.SESSION_ENDED);
		verify(second).close(HttpSessionFollower.SESSION_ENDED);
	}

	@Test
	void theSessionsOfAnotherHttpSessionStayOpen() {
		MockHttpSession ending = new MockHttpSession(null, "login-1");
		NotifierSession other = mock(NotifierSession.class);
		this.follower.opened(new MockHttpSession(null, "login-2"), other);

		this.follower.sessionDestroyed(new HttpSessionEvent(ending));

		verify(other, never()).close(HttpSessionFollower.SESSION_ENDED);
	}

	@Test
	void aClosedSessionIsNoLongerFollowed() {
		MockHttpSession login = new MockHttpSession(null, "login-1");
		NotifierSession session = mock(NotifierSession.class);
		this.follower.opened(login, session);
		this.follower.closed(login, session);

		this.follower.sessionDestroyed(new HttpSessionEvent(login));

		verify(session, never()).close(HttpSessionFollower.SESSION_ENDED);
	}

	@Test
	void aSessionIdChangedAfterTheHandshakeIsStillFollowed() {
		MockHttpSession login = new MockHttpSession(null, "before");
		NotifierSession session = mock(NotifierSession.class);
		this.follower.opened(login, session);

		MockHttpSession renamed = new MockHttpSession(null, "after");
		this.follower.sessionIdChanged(new HttpSessionEvent(renamed), "before");
		this.follower.sessionDestroyed(new HttpSessionEvent(renamed));

		verify(session).close(HttpSessionFollower.SESSION_ENDED);
	}

	@Test
	void aSessionWhoseHttpSessionEndedDuringTheHandshakeIsClosedAtOnce() {
		MockHttpSession login = new MockHttpSession(null, "login-1");
		login.invalidate();
		NotifierSession session = mock(NotifierSession.class);

		this.follower.opened(login, session);

		verify(session).close(HttpSessionFollower.SESSION_ENDED);
	}

}
