// Small helpers shared by the sample's pages.
'use strict';
// The logs waiting for sample.scrollToEnd's next frame.
const unscrolled = new Set();
globalThis.sample = {
  append(log, text, css) {
    const line = document.createElement('div');
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = new Date().toLocaleTimeString();
    const body = document.createElement('span');
    body.textContent = text;
    if (css) body.className = css;
    line.append(time, body);
    log.append(line);
    sample.scrollToEnd(log);
    return line;
  },
  // Scrolls the log to its end once per frame, not once per line: reading scrollHeight lays the page out, and with a
  // layout per line a replay of 5,000 lines took half a minute (each layout costs more as the log grows).
  scrollToEnd(log) {
    if (unscrolled.has(log)) return;
    unscrolled.add(log);
    requestAnimationFrame(() => {
      unscrolled.delete(log);
      log.scrollTop = log.scrollHeight;
    });
  },
  showState(element, state, detail) {
    let text = state;
    if (state === 'reconnecting' && detail && detail.delay) text += ' in ' + (detail.delay / 1000).toFixed(1) + 's';
    if (state === 'connected' && detail && detail.resumed) {
      text += detail.recovered ? ' (resumed: nothing missed)' : ' (could not resume: starting over)';
    }
    if (state === 'ended' && detail && (detail.reason || detail.code)) {
      text += ' (' + [detail.status || detail.code, detail.reason].filter(Boolean).join(' ') + ')';
    }
    element.textContent = text;
    element.className = 'state ' + state;
    element.dataset.state = state;
  },
  param(name, fallback) {
    return new URLSearchParams(location.search).get(name) || fallback;
  }
};

// Every page has <header data-here="..."></header>: the navigation is written once, here.
(() => {
  const header = document.querySelector('header[data-here]');
  if (!header) return;
  const pages = [['tasks', '/tasks.html', 'Task logs'], ['ticker', '/ticker.html', 'Ticker'], ['chat', '/chat.html', 'Chat'],
    ['monitor', '/monitor.html', 'Monitor'], ['admin', '/admin.html', 'Admin']];
  const wrap = document.createElement('div');
  wrap.className = 'wrap';
  const home = document.createElement('a');
  home.className = 'home';
  home.href = '/';
  home.textContent = 'notifier sample';
  const nav = document.createElement('nav');
  for (const [key, href, label] of pages) {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = label;
    if (key === header.dataset.here) link.className = 'here';
    nav.append(link);
  }
  wrap.append(home, nav);
  header.append(wrap);
})();
