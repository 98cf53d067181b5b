// The student's exam page: a countdown on the server's clock (TIM-1), a heartbeat that also brings
// news such as extra time (SLT-6, X-4), autosave that never loses a word, the "Send answer"
// rule (ANS-2) and uploads with progress. When the server refuses the draft for good (time is over,
// TIM-1) the page says exactly what was kept, what was not sent, and that the unsaved text is still
// in the editor. A chosen file is uploaded at once; "Send answer" waits for it (never sends without
// it silently); taking a ticket and sending ask for a second look in a <dialog> (#14).
// What happens elsewhere (questions sent, a ticket, extra time, a grade) arrives by push (live.js,
// #15): the page puts the new state in place without a reload — the countdown at once, the rest by
// fetching this page and swapping its content, which runs this script again (the previous run's
// timers and listeners end with its AbortController). While the student has unsaved text the
// content is left alone and the page says there is news. Without a stream it polls the status.
// No inline script; everything reads data-* attributes.
(function () {
  "use strict";
  if (window.examPage) window.examPage.abort();
  const life = new AbortController();
  window.examPage = life;
  const signal = life.signal;
  const every = (fn, ms) => {
    const id = setInterval(fn, ms);
    signal.addEventListener("abort", () => clearInterval(id));
  };
  const clockBox = document.getElementById("exam-clock");
  const form = document.getElementById("answer-form");

  // --- a second look before what cannot be undone (#14.6) ------------------------------------------
  document.querySelectorAll("dialog.confirm [data-close]").forEach((button) =>
    button.addEventListener("click", () => button.closest("dialog").close()),
  );
  const ticketDialog = document.getElementById("confirm-ticket");
  if (ticketDialog) {
    // The board is re-rendered every few seconds: listen on the document, not on the tiles.
    document.addEventListener(
      "click",
      (event) => {
        const tile = event.target.closest("#board .tile-ticket.free");
        if (!tile || tile.disabled) return;
        event.preventDefault();
        ticketDialog.querySelector("input[name=ticket]").value = tile.value;
        ticketDialog.showModal();
      },
      { signal },
    );
  }
  let offset = 0; // server time minus device time, in ms
  let endsAt = null;
  let startsAt = null;
  const warned = new Set();

  // --- countdown ------------------------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, "0");
  const format = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    return (h ? h + ":" : "") + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  };
  const tick = () => {
    if (!clockBox || !endsAt) return;
    const now = Date.now() + offset;
    const label = clockBox.querySelector(".exam-clock-label");
    const value = clockBox.querySelector(".exam-clock-value");
    if (startsAt && now < startsAt) {
      label.textContent = clockBox.dataset.labelStarts;
      value.textContent = format(startsAt - now);
      return;
    }
    const left = endsAt - now;
    if (left <= 0) {
      label.textContent = clockBox.dataset.labelOver;
      value.textContent = "00:00";
      clockBox.classList.add("over");
      // TIM-1: the end, at once, before the server's word: not "in progress", nothing more to attach.
      document.querySelectorAll("[data-in-progress]").forEach((line) => (line.hidden = true));
      if (form) {
        form.querySelectorAll("input[type=file], [data-upload-button], .files button").forEach((control) => {
          control.disabled = true;
        });
      }
      const alert = clockBox.querySelector(".exam-clock-alert");
      const warnings = [clockBox.getAttribute("data-warn-5"), clockBox.getAttribute("data-warn-1")];
      if (warnings.includes(alert.textContent)) alert.hidden = true; // "five minutes left" is past
      if (form) form.querySelectorAll("[data-send]").forEach((b) => (b.disabled = true));
      return;
    }
    label.textContent = clockBox.dataset.labelLeft;
    value.textContent = format(left);
    clockBox.classList.remove("over"); // the device ran ahead; the server's clock says there is time
    clockBox.classList.toggle("warning", left <= 5 * 60 * 1000);
    for (const [minutes, key] of [[5, "warn-5"], [1, "warn-1"]]) {
      if (left <= minutes * 60 * 1000 && !warned.has(minutes)) {
        warned.add(minutes);
        const alert = clockBox.querySelector(".exam-clock-alert");
        alert.textContent = clockBox.getAttribute("data-" + key);
        alert.hidden = false;
      }
    }
  };
  const syncClock = (serverNowIso, endsAtIso) => {
    offset = Date.parse(serverNowIso) - Date.now();
    if (endsAtIso) endsAt = Date.parse(endsAtIso);
  };

  // --- news: by push (live.js), or by the status poll when the page cannot stream ---------------
  const NEWS = ["questions_sent", "placed", "has_ticket", "task", "answer_sent"];
  let lastStatus = null; // what the page shows (below), then the last status heard
  let extraMinutes = 0;
  let onStatus = null; // the answer form's listener (below): it learns from the server that time is over
  const main = document.getElementById("main");
  const typing = () => Boolean(form && form.dataset.dirty === "1");
  const tellNews = (text) => {
    if (!clockBox) return;
    const alert = clockBox.querySelector(".exam-clock-alert");
    alert.textContent = text || clockBox.dataset.news;
    alert.hidden = false;
  };
  // The page as the server shows it now, in place: no reload, and never under the student's typing.
  let refreshing = false;
  // A form sent or a link followed: the next page is on its way. A fetch now could take its
  // one-time message ("You have a ticket.") before it: let the new page show itself; retry only
  // if this page is still here a while later (the send was held by its dialog). A form posted in
  // place (hx-post: taking a ticket, showing the questions) is the one request that goes.
  let leavingAt = 0;
  let sending = null;
  const leaving = (event) => {
    leavingAt = Date.now();
    const target = event && event.target;
    sending = target instanceof HTMLFormElement && target.hasAttribute("hx-post") ? target : null;
  };
  document.addEventListener("submit", leaving, { signal, capture: true });
  window.addEventListener("beforeunload", leaving, { signal });
  document.addEventListener(
    "htmx:beforeRequest", // the board's refetch, too (its answer may say "reload")
    (event) => {
      if (Date.now() - leavingAt < 5000 && event.detail.elt !== sending) event.preventDefault();
    },
    { signal },
  );
  const refresh = () => {
    if (signal.aborted) return; // this page's content was replaced: its successor fetches for itself
    if (Date.now() - leavingAt < 5000) {
      setTimeout(refresh, 5000);
      return;
    }
    if (typing()) {
      tellNews();
      return;
    }
    if (refreshing) return;
    refreshing = true;
    if (window.htmx && main) {
      window.htmx
        .ajax("GET", window.location.pathname, { target: "#main", select: "#main", swap: "outerHTML" })
        .catch(() => window.location.reload());
    } else {
      window.location.reload();
    }
  };
  // The questions were sent (SND-1): where the page already offers "Show questions by ticket", it
  // only says so — in place, no fetch (#15: a whole college's pages would fetch themselves at once).
  const questionsArrived = () => {
    const notice = document.querySelector("[data-questions-arrived]");
    if (!notice) return false;
    notice.hidden = false;
    document.querySelectorAll("[data-questions-open]").forEach((opener) => (opener.hidden = false));
    document.querySelectorAll("[data-questions-waiting]").forEach((waiting) => (waiting.hidden = true));
    if (state) state.dataset.questionsSent = "1";
    return true;
  };
  const applyStatus = (status) => {
    syncClock(status.server_now, status.ends_at);
    extraMinutes = status.extra_minutes || 0;
    const changed = NEWS.filter((key) => lastStatus && lastStatus[key] !== status[key]);
    lastStatus = status;
    if (onStatus) onStatus(status);
    tick();
    const questionsOnly = changed.length === 1 && changed[0] === "questions_sent" && status.questions_sent;
    if (questionsOnly && questionsArrived()) return;
    if (changed.length) refresh();
  };
  const heartbeat = async () => {
    if (!clockBox || document.visibilityState !== "visible") return;
    try {
      const response = await fetch(clockBox.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) applyStatus(await response.json());
    } catch (error) {
      /* offline: the countdown keeps running on the last known offset */
    }
  };
  // What this page already shows (this tab took the ticket, sent the answer): no need to fetch it again.
  // What the page was rendered with: its state element carries the status's keys (data-has-ticket…).
  const state = document.querySelector("[data-live-url]");
  const camel = (key) => key.replace(/_(\w)/g, (_match, letter) => letter.toUpperCase());
  const pageSays = (key) => state.dataset[camel(key)] === "1";
  const SHOWN = { ticket: "has_ticket", questions: "questions_sent", answer: "answer_sent" };
  const shown = (name) => Boolean(state && SHOWN[name] && pageSays(SHOWN[name]));
  // The first hello (or poll) is compared with that: what happened between the render and the
  // stream's opening (tickets placed meanwhile: no event reached this page yet) brings the page in
  // place; a hello that only confirms it changes nothing.
  if (state) lastStatus = Object.fromEntries(NEWS.map((key) => [key, pageSays(key)]));
  // Times as the exam's own clock shows them (the server's time zone), whatever the device's zone.
  const examTime = (date, zone, seconds) => {
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone || undefined };
    if (seconds) options.second = "2-digit";
    try {
      return date.toLocaleTimeString(document.documentElement.lang || undefined, options);
    } catch (error) {
      return date.toLocaleTimeString(); // an unknown zone or language: the device's own
    }
  };
  const endsChanged = (iso) => {
    if (Date.parse(iso) === endsAt) return;
    endsAt = Date.parse(iso);
    warned.clear();
    tick();
    if (!clockBox) return;
    // Said in words, earlier or later: the countdown never jumps silently (TIM-1). The notice
    // outlives the page's refresh below, which puts the new end in its facts.
    const time = examTime(new Date(endsAt), clockBox.dataset.timeZone);
    window.examPageNotice = clockBox.dataset.labelEnds.replace("{time}", time);
    tellNews(window.examPageNotice);
    if (!typing()) refresh();
  };
  if (window.examPageNotice) {
    tellNews(window.examPageNotice); // told before this content was fetched
    window.examPageNotice = null;
  }
  document.addEventListener("live-hello", (event) => applyStatus(event.detail), { signal });
  document.addEventListener("live-poll", heartbeat, { signal });
  document.addEventListener(
    "live-event",
    (event) => {
      const data = event.detail;
      if (data.event === "clock") syncClock(data.server_now, null);
      else if (data.event === "extra_time") endsChanged(data.ends_at);
      else if (data.event === "slot") {
        if (data.starts_at) startsAt = Date.parse(data.starts_at);
        endsChanged(new Date(Date.parse(data.ends_at) + extraMinutes * 60000).toISOString());
      } else if (data.event === "time_over") heartbeat(); // the server's word: closes the answer
        else if (data.event === "questions" && !shown("questions") && questionsArrived()) return;
        else if (!["board", "presence", "notified", "tickets"].includes(data.event) && !shown(data.event)) refresh();
    },
    { signal },
  );
  if (clockBox) {
    syncClock(clockBox.dataset.serverNow, clockBox.dataset.endsAt);
    startsAt = Date.parse(clockBox.dataset.startsAt);
    tick();
    every(tick, 1000);
    document.addEventListener(
      "visibilitychange",
      () => {
        if (document.documentElement.dataset.live === "polling") heartbeat();
      },
      { signal },
    );
  }

  // --- autosave ---------------------------------------------------------------------------------
  if (!form) return;
  const storageKey = "attestation-draft-" + form.dataset.session;
  const textarea = form.querySelector("textarea[name=text]");
  const statusLine = form.querySelector(".autosave-status");
  let editor = null;
  let version = Number(form.dataset.version || 0);
  let saving = false;
  let submitting = false;
  let retryTimer = null;
  let closed = null; // {status, reason} once the server refused the draft for good: nothing more is sent
  let savedAt = form.dataset.savedAt ? new Date(form.dataset.savedAt) : null;
  const refusedBox = form.querySelector(".answer-refused");

  const clockTime = (date, seconds) => examTime(date, form.dataset.timeZone, seconds);
  const savedLine = () => (savedAt ? form.dataset.labelSaved + " " + clockTime(savedAt, true) : "");
  const timeIsOver = (status) =>
    Boolean(status && status.ends_at && !status.answer_sent) &&
    Date.parse(status.server_now) >= Date.parse(status.ends_at);
  const fetchStatus = async () => {
    try {
      const response = await fetch(form.dataset.statusUrl, { headers: { Accept: "application/json" } });
      return response.ok ? await response.json() : null;
    } catch (error) {
      return null;
    }
  };

  // The end: what the server kept (the last draft and when), that nothing was sent, and where the
  // text typed since the last save is (still in the editor, and on this device).
  const showClosed = () => {
    const time = savedAt ? clockTime(savedAt) : null;
    const lines = [];
    if (timeIsOver(closed.status)) {
      lines.push(time ? form.dataset.labelOverSaved.replace("{time}", time) : form.dataset.labelOverNothing);
    } else {
      lines.push(closed.reason || form.dataset.labelRefused);
    }
    if (form.dataset.dirty === "1") {
      lines.push(time ? form.dataset.labelUnsavedAfter.replace("{time}", time) : form.dataset.labelUnsaved);
    }
    refusedBox.replaceChildren(
      ...lines.map((text) => {
        const line = document.createElement("p");
        line.textContent = text;
        return line;
      }),
    );
    refusedBox.hidden = false;
    statusLine.textContent = savedLine();
  };
  const closeAnswer = (status, reason) => {
    if (closed) return;
    closed = { status, reason };
    clearTimeout(retryTimer);
    // Read-only from now on (typing would be lost), but the text stays there to select and copy.
    if (editor) editor.setEditable(false, false);
    textarea.readOnly = true;
    form.querySelectorAll("[data-send]").forEach((b) => (b.disabled = true));
    showClosed();
  };
  onStatus = (status) => {
    if (timeIsOver(status)) closeAnswer(status, null); // the server's clock: no extra time comes after
  };

  const currentHtml = () => (editor ? editor.getHTML() : textarea.value);
  const plainLength = (html) => {
    const div = document.createElement("div");
    div.innerHTML = html;
    return div.textContent.replace(/\s+/g, " ").trim().length;
  };
  const uploads = { running: 0, pending: [] }; // pending: files whose upload failed and may be retried
  const refreshSend = () => {
    const files = form.querySelectorAll(".files li a").length;
    const ok = plainLength(currentHtml()) >= Number(form.dataset.minChars) || files > 0;
    const over = endsAt && Date.now() + offset >= endsAt;
    form.querySelectorAll("[data-send]").forEach((b) => (b.disabled = !ok || over || closed !== null));
  };
  const remember = () => {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ version, html: currentHtml() }));
    } catch (error) {
      /* private mode or full storage: the server copy still exists */
    }
  };
  const changed = () => {
    if (submitting || closed) return;
    version += 1;
    form.dataset.dirty = "1";
    remember();
    refreshSend();
  };
  // a lost connection is said where the student looks, not as a small grey hint.
  const offline = (lost) => {
    statusLine.classList.toggle("offline", lost);
    statusLine.setAttribute("role", lost ? "alert" : "status");
    if (lost) statusLine.textContent = form.dataset.labelOffline;
  };
  window.addEventListener("offline", () => offline(true), { signal });
  // #15: a save goes out only when the text differs from what the server has (typing and deleting
  // back, or a formatting no-op, sends nothing); at most every 15 s and when leaving the field.
  let savedHtml = null;
  const save = async () => {
    if (saving || closed || form.dataset.dirty !== "1") return;
    const html = currentHtml();
    if (html === savedHtml) {
      form.dataset.dirty = "0";
      return;
    }
    saving = true;
    const sentVersion = version;
    statusLine.textContent = form.dataset.labelSaving;
    try {
      const response = await fetch(form.dataset.draftUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        body: JSON.stringify({ version: sentVersion, text: html }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        offline(false);
        savedHtml = html;
        if (version === sentVersion) form.dataset.dirty = "0";
        if (body.saved_at) savedAt = new Date(body.saved_at);
        statusLine.textContent = savedLine();
      } else if (response.status === 409) {
        // Refused for good (time is over, already sent): the server's clock says which.
        const status = await fetchStatus();
        if (status && status.server_now) syncClock(status.server_now, status.ends_at);
        closeAnswer(status, body.error);
        tick();
      } else if (response.status === 400) {
        statusLine.textContent = form.dataset.labelRefused + ": " + (body.error || response.status);
      } else {
        throw new Error(String(response.status));
      }
    } catch (error) {
      offline(true);
      clearTimeout(retryTimer);
      if (!closed) retryTimer = setTimeout(save, 3000);
    } finally {
      saving = false;
      if (closed) showClosed(); // a save that was under way when the end came: say what it changed
    }
  };

  const attach = (instance) => {
    editor = instance;
    savedHtml = currentHtml(); // the server's draft, as the page brought it
    // A newer copy on this device than on the server (a crash, a lost connection): bring it back.
    try {
      const kept = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (kept && kept.version > version && kept.html !== currentHtml()) {
        editor.commands.setContent(kept.html);
        version = kept.version;
        form.dataset.dirty = "1";
        save();
      }
    } catch (error) {
      /* nothing kept */
    }
    editor.on("update", changed);
    editor.on("blur", save);
    refreshSend();
    if (closed) {
      editor.setEditable(false, false);
      showClosed();
    }
  };
  document.addEventListener(
    "prose-editor:ready",
    (event) => {
      if (event.detail.textarea === textarea) attach(event.detail.editor);
    },
    { signal },
  );
  // An editor started before this run (the content was swapped in again): attach to it.
  const shell = textarea.parentElement.closest(".prose-editor");
  const live = shell && shell.querySelector(":scope > .ProseMirror");
  if (live && live.editor) attach(live.editor);
  textarea.addEventListener("input", changed);
  textarea.addEventListener("blur", save);
  every(save, 15000);
  window.addEventListener("online", save, { signal });
  window.addEventListener(
    "beforeunload",
    (event) => {
      if (form.dataset.dirty === "1" && !submitting) {
        save();
        event.preventDefault();
      }
    },
    { signal },
  );
  const sendDialog = document.getElementById("confirm-send");
  let sendConfirmed = false;
  const askToSend = (button) => {
    const names = Array.from(form.querySelectorAll(".files li a"), (link) => link.textContent.trim());
    const line = sendDialog.querySelector(".confirm-files");
    line.textContent = names.length
      ? line.dataset.labelFiles + ": " + names.join(", ")
      : line.dataset.labelNoFiles;
    sendDialog.querySelector("[data-confirm]").onclick = () => {
      sendDialog.close();
      sendConfirmed = true;
      form.requestSubmit(button);
    };
    sendDialog.showModal();
  };
  // ANS-1: deleting an attached file asks first (a <dialog>, like sending).
  const deleteDialog = document.getElementById("confirm-delete-file");
  let deleteConfirmed = false;
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.closest(".files") && deleteDialog && !deleteConfirmed) {
      event.preventDefault();
      const name = button.closest("li").querySelector("a").textContent.trim();
      deleteDialog.querySelector("[data-file-name]").textContent = name;
      deleteDialog.querySelector("[data-confirm]").onclick = () => {
        deleteDialog.close();
        deleteConfirmed = true;
        form.requestSubmit(button);
      };
      deleteDialog.showModal();
      return;
    }
    deleteConfirmed = false;
    const sending = Boolean(button && button.hasAttribute("data-send"));
    if (sending && (uploads.running || uploads.pending.length)) {
      // Never send without a file the student chose (#14.3): wait for it, or say what is wrong.
      event.preventDefault();
      if (uploads.running) showUploadError(form.dataset.labelUploadWait, false);
      else showUploadError(pendingMessage(), true);
      return;
    }
    if (sending && sendDialog && !sendConfirmed) {
      event.preventDefault();
      askToSend(button);
      return;
    }
    sendConfirmed = false;
    // The editor writes its HTML into the textarea on submit; keep the device copy until sent.
    submitting = true;
    if (editor) textarea.value = editor.getHTML();
    form.dataset.dirty = "0";
    if (sending) button.disabled = true; // one click, one send
  });
  refreshSend();

  // --- uploads: a chosen file goes at once, with progress (#14.3) ----------------------------------
  const uploadInput = form.querySelector("input[type=file][data-upload-url]");
  const progress = form.querySelector(".upload-progress");
  const uploadStatus = form.querySelector(".upload-status");
  const uploadError = form.querySelector(".upload-error");
  const retryActions = form.querySelector("[data-upload-retry-actions]");
  const fileList = form.querySelector("[data-answer-files]");
  const maxBytes = Number(uploadInput.dataset.maxMb || 0) * 1024 * 1024;
  const tooLarge = (file) => uploadInput.dataset.labelTooLarge.replace("{name}", file.name);
  const pendingMessage = () =>
    form.dataset.labelUploadPending.replace("{name}", uploads.pending.map((f) => f.name).join(", "));
  form.querySelector("[data-upload-button]").hidden = true; // the button is for pages without script

  const showUploadError = (message, retryable) => {
    uploadError.textContent = message;
    retryActions.hidden = !retryable;
    uploadError.hidden = false;
  };
  const listFile = (file) => {
    const empty = fileList.querySelector("[data-no-files]");
    if (empty) empty.remove();
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = file.url;
    link.textContent = file.name;
    const remove = document.createElement("button");
    remove.type = "submit";
    remove.className = "small danger";
    remove.formAction = file.delete_url;
    remove.formNoValidate = true;
    remove.textContent = form.dataset.labelDelete;
    item.append(link, " ", remove);
    fileList.append(item);
  };

  // One file, one request. Resolves to null when attached, or {message, retryable}.
  const sendFile = (file) =>
    new Promise((resolve) => {
      if (maxBytes && file.size > maxBytes) {
        resolve({ message: tooLarge(file), retryable: false }); // refused here: not a byte is sent
        return;
      }
      const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
      const data = new FormData();
      // The token goes first (and in a header): the server refuses an oversize file as it arrives and
      // never reads the fields after it.
      data.append("csrfmiddlewaretoken", token);
      data.append("upload", file);
      const request = new XMLHttpRequest();
      request.open("POST", uploadInput.dataset.uploadUrl);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", token);
      uploadStatus.textContent = form.dataset.labelUploading.replace("{name}", file.name);
      uploadStatus.hidden = false;
      progress.value = 0;
      progress.hidden = false;
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
      });
      request.addEventListener("load", () => {
        let body = null;
        try {
          body = JSON.parse(request.responseText);
        } catch (error) {
          /* not JSON: a proxy's page, e.g. nginx's 413 for a body over client_max_body_size */
        }
        if (request.status === 200) {
          ((body && body.files) || []).forEach(listFile);
          resolve(null);
        } else if (body && body.error) {
          resolve({ message: body.error, retryable: false }); // the server's reason: final
        } else if (request.status === 413) {
          resolve({ message: maxBytes ? tooLarge(file) : form.dataset.labelUploadLost, retryable: false });
        } else {
          resolve({ message: form.dataset.labelUploadLost, retryable: true }); // a 5xx on the way: try again
        }
      });
      // The connection broke off — or the server closed it on a file far over the limit.
      request.addEventListener("error", () => resolve({ message: form.dataset.labelUploadLost, retryable: true }));
      request.send(data);
    });

  const upload = async (files) => {
    uploads.running += 1;
    uploadError.hidden = true;
    retryActions.hidden = true;
    refreshSend();
    const problems = [];
    const pending = [];
    for (const file of files) {
      const problem = await sendFile(file);
      if (problem) problems.push(problem.message);
      if (problem && problem.retryable) pending.push(file);
    }
    uploads.running -= 1;
    uploads.pending = pending;
    progress.hidden = true;
    uploadStatus.hidden = true;
    uploadInput.value = ""; // attached (or refused with its reason): it must not go again with "Send"
    if (problems.length) showUploadError(problems.join(" "), pending.length > 0);
    refreshSend();
  };
  uploadInput.addEventListener("change", () => {
    if (uploadInput.files.length) upload(Array.from(uploadInput.files));
  });
  retryActions.querySelector("[data-upload-retry]").addEventListener("click", () => upload(uploads.pending));
  retryActions.querySelector("[data-upload-cancel]").addEventListener("click", () => {
    uploads.pending = [];
    uploadError.hidden = true;
    retryActions.hidden = true;
    refreshSend();
  });
})();
