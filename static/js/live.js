// Live updates by push (#15; SLT-6, X-4, X-5). A page that shows something live holds an element
// with data-live-url (the student's exam page, the slot's tab of the stream page); this opens a
// server-sent event stream there and tells the page's own scripts what happened, as DOM events on
// the document:
//   live-hello  (detail: the state now)   when the stream (re)opens — catch up with what was missed;
//   live-event  (detail: the event)       each event, and live-<name> for it (live-board…);
//   live-poll                              every few seconds while the stream cannot be used;
//   live-bye    (detail: {reason})         the server ended the stream for good: its login ended
//                                          ("ended") or a newer stream of the login took its place
//                                          ("replaced") — the page polls and does not reconnect,
//                                          so two tabs never take the stream from each other in turn.
// The stream's open connection is the student's presence: no heartbeat request while it is healthy.
// When it cannot open (the server says no, an old browser, a proxy that holds the response back)
// the page falls back to polling, quietly, and tries the stream again later (60 s, then longer).
(function () {
  "use strict";
  if (window.attestationLive) {
    window.attestationLive.sync(); // the page's content was swapped in again: same stream or a new one
    return;
  }
  const HELLO_WITHIN = 10000; // ms: an open response without its first event is being held back
  const POLL_EVERY = 5000;
  let source = null;
  let url = null;
  let helloTimer = null;
  let pollTimer = null;
  let retryTimer = null;
  let retryIn = 60000;
  const emit = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));
  const NAMES = [
    "placed", "ticket", "questions", "viewed", "task", "extra_time", "moved", "answer", "grade",
    "board", "slot", "time_over", "presence", "online", "notified", "tickets", "clock",
  ];

  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = null;
  };
  const close = () => {
    if (source) source.close();
    source = null;
    clearTimeout(helloTimer);
    clearTimeout(quietTimer);
    clearTimeout(retryTimer);
  };
  const fallBack = (retry = true) => {
    close();
    document.documentElement.dataset.live = "polling";
    if (!pollTimer) {
      emit("live-poll");
      pollTimer = setInterval(() => emit("live-poll"), POLL_EVERY);
    }
    if (!retry) return;
    retryTimer = setTimeout(open, retryIn);
    retryIn = Math.min(retryIn * 2, 600000);
  };
  // The server says something at least every keepalive seconds; silence means a connection that
  // died without a word (a network that went away): open a new one.
  let quietTimer = null;
  let quietLimit = 30000;
  const heard = () => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      if (source) open();
    }, quietLimit);
  };
  const open = () => {
    close();
    if (!url) return;
    if (!window.EventSource) {
      fallBack();
      return;
    }
    source = new EventSource(url);
    helloTimer = setTimeout(fallBack, HELLO_WITHIN);
    source.addEventListener("hello", (event) => {
      clearTimeout(helloTimer);
      const hello = JSON.parse(event.data);
      if (hello.keepalive) quietLimit = hello.keepalive * 2500;
      heard();
      stopPolling();
      retryIn = 60000;
      document.documentElement.dataset.live = "push";
      emit("live-hello", hello);
    });
    NAMES.forEach((name) =>
      source.addEventListener(name, (event) => {
        heard();
        const data = JSON.parse(event.data);
        emit("live-event", data);
        emit("live-" + name.replace("_", "-"), data);
      }),
    );
    source.addEventListener("bye", (event) => {
      emit("live-bye", JSON.parse(event.data));
      fallBack(false);
    });
    source.addEventListener("error", () => {
      // CLOSED: the server answered without a stream (503, 404…) — poll. CONNECTING: the browser
      // reconnects by itself; should no hello come soon, poll meanwhile.
      if (source.readyState === EventSource.CLOSED) fallBack();
      else {
        clearTimeout(helloTimer);
        helloTimer = setTimeout(fallBack, HELLO_WITHIN);
      }
    });
  };
  const sync = () => {
    const holder = document.querySelector("[data-live-url]");
    const next = holder ? holder.dataset.liveUrl : null;
    if (next === url) return;
    url = next;
    stopPolling();
    retryIn = 60000;
    if (url) open();
    else close();
  };
  window.attestationLive = { sync, state: () => document.documentElement.dataset.live || "off" };
  document.addEventListener("htmx:afterSettle", sync);
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && url) open(); // back from the browser's cache: the stream was closed
  });
  sync();
})();
