// Stream page behaviour: dialogs, select-all, group filter, "Save" enabled once a student is
// ticked, recording-link rows. Event delegation, so it keeps working after htmx swaps.
(function () {
  const openAutoshow = () =>
    document.querySelectorAll("dialog[data-autoshow]").forEach((d) => d.open || d.showModal());

  const refreshSave = (form) => {
    const save = form.querySelector("[data-requires-checked]");
    if (save) save.disabled = !form.querySelector("tbody input[type=checkbox]:checked");
  };

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog) {
        dialog.showModal();
        const form = dialog.querySelector("form");
        if (form) refreshSave(form);
      }
    }
    if (event.target.closest("[data-close-dialog]")) event.target.closest("dialog").close();
    if (event.target.closest("[data-remove-row]")) event.target.closest("li").remove();
    const add = event.target.closest("[data-add-recording]");
    if (add) {
      const box = add.closest("[data-recordings]");
      const row = box.querySelector("template[data-recording-template]").content.cloneNode(true);
      box.querySelector("[data-recording-list]").append(row);
      box.querySelector("[data-recording-list] li:last-child input").focus();
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    const form = target.closest("form");
    if (target.matches("[data-select-all]")) {
      form.querySelectorAll("tbody tr:not([hidden]) input[type=checkbox]").forEach((box) => {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-group-filter]")) {
      form.querySelectorAll("tbody tr[data-group]").forEach((row) => {
        row.hidden = target.value !== "" && row.dataset.group !== target.value;
        if (row.hidden) row.querySelectorAll("input[type=checkbox]").forEach((box) => (box.checked = false));
      });
    }
    if (form) refreshSave(form);
  });

  // The live poll (every 5 s; SLT-6, X-5) refreshes the slot's table, its head and toolbar, its
  // hand-out dialogs and the ticket counter (#14.7). Skip a poll while a row menu or a dialog is open
  // or a field in a refreshed part has the focus, so nothing being filled in is replaced under the
  // user's hands; and leave a part alone when it has not changed (no flicker, no lost click).
  const REFRESHED = "#slot-live, #slot-head, #slot-hand-outs, #tickets-summary";
  // The page's own forms and links on their way (boosted: their answer is the whole page). A refresh
  // that replaced the part holding such a form would leave its answer without a target — it came back
  // as the whole page inside the page — so no part is swapped until every one has its answer.
  const answering = new Set();
  document.addEventListener("htmx:beforeSend", (event) => {
    if (!event.detail.elt.matches("[data-live-poll]")) answering.add(event.detail.xhr);
  });
  const answered = (event) => answering.delete(event.detail.xhr);
  ["htmx:afterRequest", "htmx:sendError", "htmx:timeout", "htmx:sendAbort"].forEach((name) =>
    document.addEventListener(name, answered),
  );
  const waitingForAnswer = () => [...answering].some((xhr) => xhr.readyState !== XMLHttpRequest.DONE);
  const busy = () => {
    const active = document.activeElement;
    return (
      waitingForAnswer() ||
      document.querySelector("#slot-live details[open], #slot-live [popover]:popover-open, dialog[open]") ||
      (active && active.matches("input, select, textarea") && active.closest(REFRESHED))
    );
  };
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.matches("[data-live-poll]") && busy()) event.preventDefault();
  });

  // #15: the slot's stream (live.js) says what changed. Presence is put in place; anything else
  // refreshes the live parts, at most once every 2 s (a burst of answers is one request) and not
  // while a menu, a dialog or a field of those parts is in use (then as soon as it is not); the
  // slot's start and end refresh them too, on the server's clock (the hello and the keep-alive
  // carry it) — and when the slot's day begins, when "Generate ticket numbers" opens (a page left
  // open from the day before); without a stream the page polls every 5 s.
  let lastRefresh = 0;
  let refreshTimer = null;
  const refreshLive = () => {
    if (refreshTimer) return;
    const wait = Math.max(0, lastRefresh + 2000 - Date.now());
    refreshTimer = setTimeout(function fire() {
      if (busy()) {
        refreshTimer = setTimeout(fire, 1000);
        return;
      }
      refreshTimer = null;
      lastRefresh = Date.now();
      document.dispatchEvent(new CustomEvent("live-refresh"));
    }, wait);
  };
  let offset = 0; // the server's clock minus this device's, in ms
  const edges = [];
  const scheduleEdges = () => {
    edges.splice(0).forEach(clearTimeout);
    const head = document.getElementById("slot-head");
    if (!head) return;
    const now = Date.now() + offset;
    [head.dataset.dayStartsAt, head.dataset.startsAt, head.dataset.endsAt].forEach((iso) => {
      const at = Date.parse(iso || "");
      if (at && at + 1000 > now - 5000) edges.push(setTimeout(refreshLive, Math.max(0, at + 1000 - now)));
    });
  };
  const serverTime = (iso) => {
    const server = Date.parse(iso || "");
    if (!server) return;
    const before = offset;
    offset = server - Date.now();
    if (Math.abs(offset - before) > 1000) {
      refreshLive(); // the clock moved (a corrected clock): an edge may now lie behind it
      scheduleEdges();
    } else if (!edges.length) scheduleEdges();
  };
  document.addEventListener("htmx:afterSettle", scheduleEdges);
  document.addEventListener("live-event", (event) => {
    const data = event.detail;
    if (data.event === "clock") {
      serverTime(data.server_now); // the keep-alive: nothing changed, but the clock may have
      return;
    }
    if (data.event !== "presence" && data.event !== "online") {
      refreshLive();
      return;
    }
    const table = document.getElementById("slot-live");
    if (!table) return;
    const show = (dot, online) => {
      dot.classList.toggle("online", online);
      dot.classList.toggle("offline", !online);
      dot.setAttribute("aria-label", online ? table.dataset.labelOnline : table.dataset.labelOffline);
    };
    if (data.event === "online") {
      // Every keep-alive interval, the whole slot: a page that stopped polling goes grey here.
      serverTime(data.server_now);
      const now = new Set(data.online.map(Number));
      table.querySelectorAll("[data-presence]").forEach((dot) => show(dot, now.has(Number(dot.dataset.presence))));
    } else {
      const dot = table.querySelector(`[data-presence="${Number(data.session)}"]`);
      if (dot) show(dot, Boolean(data.online));
    }
    const count = table.querySelector("[data-online-count] strong");
    if (count) count.textContent = table.querySelectorAll("[data-presence].online").length;
  });
  document.addEventListener("live-hello", (event) => {
    serverTime(event.detail.server_now);
    refreshLive(); // (re)connected: catch up with what was missed
  });
  document.addEventListener("live-poll", refreshLive);
  scheduleEdges();
  // Django masks the CSRF token afresh in every answer: compare the parts without it (both stay valid),
  // and without the empty style attributes the browser leaves on fields it has touched.
  const comparable = (element) => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => input.removeAttribute("value"));
    copy.querySelectorAll('[style=""]').forEach((styled) => styled.removeAttribute("style"));
    return copy.outerHTML;
  };
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const fresh = event.detail.fragment.firstElementChild;
    const target = event.detail.target;
    if (fresh && comparable(fresh) === comparable(target)) event.detail.shouldSwap = false;
    else if (waitingForAnswer()) {
      // A refresh asked before the form was sent: its parts wait for the form's answer.
      event.detail.shouldSwap = false;
      setTimeout(() => document.dispatchEvent(new CustomEvent("live-refresh")), 2000);
    } else if (busy() && (target.querySelector("dialog[open], details[open]") || target.contains(document.activeElement))) {
      // Opened or filled in while the answer was on its way: keep it; a later refresh catches up.
      event.detail.shouldSwap = false;
      setTimeout(() => document.dispatchEvent(new CustomEvent("live-refresh")), 5000);
    }
  });

  // #14.2: a boosted region (hx-boost with hx-select="#stream-page") swaps in only that element of
  // the response. A response that is not this page — the student's session page, a grade sheet
  // download, the streams list — would be swapped in as nothing and wipe the page. Links leaving the
  // page opt out of boosting (hx-boost="false"; a test checks every one); should one slip through,
  // follow it as an ordinary navigation instead of swapping.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (!detail.boosted || !detail.shouldSwap) return;
    const region = detail.requestConfig.elt.closest("[hx-boost=true][hx-select]");
    if (!region) return;
    const xhr = detail.xhr;
    const attachment = /^\s*attachment/i.test(xhr.getResponseHeader("Content-Disposition") || "");
    const html = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/html");
    const page = html && !attachment && new DOMParser().parseFromString(detail.serverResponse, "text/html");
    if (page && page.querySelector(region.getAttribute("hx-select"))) return;
    detail.shouldSwap = false;
    window.location.assign(xhr.responseURL || detail.pathInfo.requestPath);
  });

  // A row's "More" menu opens beside its button (a popover lives in the top layer, positioned here);
  // scrolling the page closes it rather than leave it floating away from its row.
  document.addEventListener(
    "toggle",
    (event) => {
      const menu = event.target;
      if (!(menu instanceof HTMLElement) || !menu.matches(".row-menu-body") || event.newState !== "open") return;
      const button = document.querySelector(`[popovertarget="${menu.id}"]`);
      if (!button) return;
      const place = button.getBoundingClientRect();
      const width = menu.offsetWidth;
      const below = place.bottom + 4 + menu.offsetHeight <= window.innerHeight;
      menu.style.left = `${Math.max(8, Math.min(place.right - width, window.innerWidth - width - 8))}px`;
      menu.style.top = `${below ? place.bottom + 4 : Math.max(8, place.top - 4 - menu.offsetHeight)}px`;
    },
    true,
  );
  window.addEventListener("scroll", () => {
    document.querySelectorAll(".row-menu-body:popover-open").forEach((menu) => menu.hidePopover());
  });
  document.addEventListener("DOMContentLoaded", openAutoshow);
  document.addEventListener("htmx:afterSettle", openAutoshow);
})();

// Tickets page: select-all for tickets and target streams; "Copy tickets" / "Copy" enabled once
// something is ticked.
(function () {
  const refresh = () => {
    const copyButton = document.querySelector("[data-requires-ticket]");
    if (copyButton) copyButton.disabled = !document.querySelector("input[name=tickets]:checked");
    const copy = document.querySelector("[data-requires-target]");
    if (copy) copy.disabled = !document.querySelector("input[name=targets]:checked");
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-all-tickets]")) {
      document.querySelectorAll("input[name=tickets]").forEach((box) => (box.checked = event.target.checked));
    }
    if (event.target.matches("[data-select-all-targets]")) {
      document.querySelectorAll("input[name=targets]").forEach((box) => (box.checked = event.target.checked));
    }
    refresh();
  });
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
