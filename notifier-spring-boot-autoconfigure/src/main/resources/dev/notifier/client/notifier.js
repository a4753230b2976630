/*
 * notifier browser client: joins a group of a notifier WebSocket endpoint and keeps the connection alive.
 * No dependencies. As a classic script it defines the global `notifier`; /notifier.mjs exports the same as a module.
 *
 *   const connection = notifier.connect('tasks/42', {
 *     onMessage: (message) => console.log(message),          // JSON objects and arrays arrive parsed
 *     onState: (state, detail) => console.log(state, detail) // connecting, connected, reconnecting, ended
 *   });
 *   // In a group with history, a reconnect resumes after the last message received; detail.recovered says
 *   // whether nothing was lost (see docs/history.md).
 *   connection.send({ text: 'hi' });                        // objects are sent as JSON
 *   connection.close();
 */
(function (global) {
  'use strict';

  const DEFAULTS = {
    // Base path of the endpoint on this page's origin (the server's notifier.path).
    path: '/ws',
    // Base URL of an endpoint elsewhere, like 'wss://events.example.com/ws'; overrides path.
    url: null,
    // Reconnection, like Socket.IO's: 1s growing to 5s, unlimited tries. Each delay is first capped at maxDelay, then
    // randomized down by up to jitter (0.5: anywhere from half the capped delay to all of it).
    minDelay: 1000,
    maxDelay: 5000,
    factor: 2,
    jitter: 0.5,
    maxAttempts: Infinity,
    // Close codes that mean "do not retry": 1000 (done, e.g. a finished task) and 1008 (policy violation).
    // A handshake the server refuses with a 4xx status ends the connection too.
    doNotRetry: [1000, 1008],
    // Resume after the last message received when reconnecting to a group that keeps history.
    resume: true,
    // 'auto': a WebSocket, or Server-Sent Events when a WebSocket cannot get through although the server would accept
    // it (a proxy that drops the upgrade); 'websocket' or 'sse' to use only that.
    transport: 'auto',
    // Base path of the event streams on this page's origin (the server's notifier.sse.path).
    ssePath: '/sse',
    // Base URL of the event streams elsewhere, like 'https://events.example.com/sse'; overrides ssePath.
    sseUrl: null,
    onMessage: () => {},
    onState: () => {}
  };

  const PROBE_FAILED = { status: 0 };

  // The subprotocol in which the server frames every message with its position in the group's stream.
  const PROTOCOL = 'notifier.v1';

  function endpointUrl(group, url, path, scheme) {
    const base = url
      ? url.replace(/\/+$/, '')
      : scheme + location.host + path.replace(/\/+$/, '');
    return base + '/' + group.split('/').map(encodeURIComponent).join('/');
  }

  function base64ToArrayBuffer(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return bytes.buffer;
  }

  function parse(data) {
    if (typeof data !== 'string') return data;
    const first = data.trimStart().charAt(0);
    if (first !== '{' && first !== '[') return data;
    try {
      return JSON.parse(data);
    } catch (notJson) {
      return data;
    }
  }

  // A frame of the subprotocol: a header line ('s' for the status, 'm' or 'm <epoch>:<offset>' for a message), a line
  // feed, then the body. Binary messages carry the same ASCII header line in front of their bytes.
  function unframe(data) {
    if (typeof data === 'string') {
      const newline = data.indexOf('\n');
      return { header: data.substring(0, newline), body: data.substring(newline + 1) };
    }
    const bytes = new Uint8Array(data);
    const newline = bytes.indexOf(10);
    return { header: String.fromCharCode.apply(null, bytes.subarray(0, newline)), body: data.slice(newline + 1) };
  }

  function encode(message) {
    if (typeof message === 'string' || message instanceof ArrayBuffer || ArrayBuffer.isView(message)
        || (typeof Blob !== 'undefined' && message instanceof Blob)) {
      return message;
    }
    return JSON.stringify(message);
  }

  // A browser reports every failed handshake as close code 1006. The server answers a plain GET of the same URL
  // with 204 when the handshake would be accepted and with the refusal (400, 403) otherwise, to pages of its own
  // origin (and, with notifier.probe.cross-origin, of the allowed ones); elsewhere the answer is unreadable, which
  // counts as a failed probe: retry.
  function probe(wsUrl) {
    const httpUrl = wsUrl.replace(/^ws/, 'http');
    return fetch(httpUrl, { cache: 'no-store', credentials: 'include' })
      .then((response) => response.text().then((reason) => ({ status: response.status, reason: reason })))
      .catch(() => PROBE_FAILED);
  }

  function connect(group, settings) {
    const options = Object.assign({}, DEFAULTS, settings);
    const secure = location.protocol === 'https:';
    const url = endpointUrl(group, options.url, options.path, secure ? 'wss://' : 'ws://');
    const sseUrl = endpointUrl(group, options.sseUrl, options.ssePath, secure ? 'https://' : 'http://');
    // Whether this connection reads an event stream rather than a WebSocket; 'auto' switches once, for good.
    let eventStream = options.transport === 'sse';
    let socket = null;
    let timer = null;
    let attempts = 0;
    let state = null;
    // The position of the last message received in a group with history: where a reconnect resumes from.
    let position = null;
    let recovered = false;

    const connection = {
      group: group,
      url: url,
      get state() {
        return state;
      },
      // Whether the latest connection resumed from the position of the last message received without losing any.
      get recovered() {
        return recovered;
      },
      // '<epoch>:<offset>' of the last message received in a group with history, or null.
      get position() {
        return position;
      },
      // 'websocket' or 'sse': what the connection uses.
      get transport() {
        return eventStream ? 'sse' : 'websocket';
      },
      // Sends a string, binary data or, as JSON, anything else. Returns false when not connected, and on an event
      // stream, which only listens: nothing is queued.
      send(message) {
        if (eventStream || !socket || socket.readyState !== WebSocket.OPEN) return false;
        socket.send(encode(message));
        return true;
      },
      // Closes for good: no reconnection follows.
      close(code, reason) {
        clearTimeout(timer);
        const closing = socket;
        socket = null;
        if (closing && eventStream) closing.close();
        else if (closing) closing.close(code || 1000, reason || '');
        setState('ended', { code: code || 1000, reason: reason || '' });
      }
    };

    function setState(next, detail) {
      if (state === 'ended') return;
      state = next;
      options.onState(next, detail || {});
    }

    function open() {
      setState(attempts === 0 ? 'connecting' : 'reconnecting', { attempt: attempts });
      const resumeFrom = options.resume ? position : null;
      const query = resumeFrom ? '?lastEventId=' + encodeURIComponent(resumeFrom) : '';
      if (eventStream) {
        openEventStream(resumeFrom, query);
      } else {
        openWebSocket(resumeFrom, query);
      }
    }

    // The first frame or event of every session that receives positions.
    function status(body, resumeFrom) {
      const answer = JSON.parse(body);
      recovered = answer.recovered === true;
      if (answer.epoch !== undefined) position = answer.epoch + ':' + answer.offset;
      setState('connected', { recovered: recovered, resumed: resumeFrom !== null });
    }

    // What follows a connection that ended: the end, a retry, or, for one that never opened, what the probe says.
    function ended(cause, opened, query) {
      if (options.doNotRetry.includes(cause.code)) {
        setState('ended', cause);
      } else if (opened) {
        retry(cause);
      } else {
        probe(url + query).then((answer) => {
          if (state === 'ended') return;
          if (answer.status >= 400 && answer.status < 500) {
            setState('ended', { code: cause.code, status: answer.status, reason: answer.reason });
            return;
          }
          // The server would accept the WebSocket, yet it did not get through: something on the way drops it.
          if (answer.status === 204 && !eventStream && options.transport === 'auto') eventStream = true;
          retry(cause);
        });
      }
    }

    function openEventStream(resumeFrom, query) {
      const current = new EventSource(sseUrl + query, { withCredentials: options.sseUrl !== null });
      let opened = false;
      let closing = null;
      current.onopen = () => {
        opened = true;
        attempts = 0;
      };
      current.addEventListener('status', (event) => status(event.data, resumeFrom));
      current.onmessage = (event) => {
        if (event.lastEventId) position = event.lastEventId;
        options.onMessage(parse(event.data), event);
      };
      current.addEventListener('binary', (event) => {
        if (event.lastEventId) position = event.lastEventId;
        options.onMessage(base64ToArrayBuffer(event.data), event);
      });
      current.addEventListener('close', (event) => {
        closing = JSON.parse(event.data);
      });
      // EventSource would reconnect by itself, without this client's backoff, end codes and probe: it is closed, and
      // the client decides as for a WebSocket.
      current.onerror = () => {
        if (socket !== current) return;
        current.close();
        socket = null;
        ended(closing ? { code: closing.code, reason: closing.reason } : { code: 1006, reason: '' }, opened, query);
      };
      socket = current;
    }

    function openWebSocket(resumeFrom, query) {
      const current = new WebSocket(url + query, [PROTOCOL]);
      current.binaryType = 'arraybuffer';
      let opened = false;
      current.onopen = () => {
        opened = true;
        attempts = 0;
        // A server that speaks the subprotocol says first whether the resume recovered everything.
        if (current.protocol !== PROTOCOL) setState('connected', { recovered: false, resumed: false });
      };
      current.onmessage = (event) => {
        if (current.protocol !== PROTOCOL) {
          options.onMessage(parse(event.data), event);
          return;
        }
        const frame = unframe(event.data);
        if (frame.header === 's') {
          status(frame.body, resumeFrom);
          return;
        }
        if (frame.header.length > 2) position = frame.header.substring(2);
        options.onMessage(parse(frame.body), event);
      };
      current.onclose = (event) => {
        if (socket !== current) return;
        socket = null;
        ended({ code: event.code, reason: event.reason }, opened, query);
      };
      socket = current;
    }

    function retry(cause) {
      if (attempts >= options.maxAttempts) {
        setState('ended', cause);
        return;
      }
      // Cap first, then jitter: jittering first and capping after would make every delay past the cap exactly the
      // cap, and a crowd of clients dropped at once would then reconnect in lockstep.
      const capped = Math.min(options.maxDelay, options.minDelay * Math.pow(options.factor, attempts));
      const delay = Math.round(capped * (1 - options.jitter * Math.random()));
      attempts++;
      setState('reconnecting', Object.assign({ attempt: attempts, delay: delay }, cause));
      timer = setTimeout(open, delay);
    }

    open();
    return connection;
  }

  global.notifier = { connect: connect };
})(globalThis);
