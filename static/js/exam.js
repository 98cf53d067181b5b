// The student's exam page: a countdown on the server's clock (TIM-1), a heartbeat that also brings
// news such as extra time (SLT-6, X-4), autosave that never loses a word, the "Send answer"
// rule (ANS-2) and uploads with progress. No inline script; everything reads data-* attributes.
(function () {
  "use strict";
  const clockBox = document.getElementById("exam-clock");
  const form = document.getElementById("answer-form");
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
      if (form) form.querySelectorAll("[data-send]").forEach((b) => (b.disabled = true));
      return;
    }
    label.textContent = clockBox.dataset.labelLeft;
    value.textContent = format(left);
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

  // --- heartbeat: presence and news -------------------------------------------------------------
  let lastStatus = null;
  const heartbeat = async () => {
    if (!clockBox || document.visibilityState !== "visible") return;
    try {
      const response = await fetch(clockBox.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const status = await response.json();
      syncClock(status.server_now, status.ends_at);
      const news = ["questions_sent", "placed", "has_ticket", "task", "answer_sent"].some(
        (key) => lastStatus && lastStatus[key] !== status[key],
      );
      lastStatus = status;
      if (news && !(form && form.dataset.dirty === "1")) window.location.reload();
      else if (news) {
        const alert = clockBox.querySelector(".exam-clock-alert");
        alert.textContent = clockBox.dataset.news;
        alert.hidden = false;
      }
    } catch (error) {
      /* offline: the countdown keeps running on the last known offset */
    }
  };
  if (clockBox) {
    syncClock(clockBox.dataset.serverNow, clockBox.dataset.endsAt);
    startsAt = Date.parse(clockBox.dataset.startsAt);
    tick();
    setInterval(tick, 1000);
    heartbeat();
    setInterval(heartbeat, 5000);
    document.addEventListener("visibilitychange", heartbeat);
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

  const currentHtml = () => (editor ? editor.getHTML() : textarea.value);
  const plainLength = (html) => {
    const div = document.createElement("div");
    div.innerHTML = html;
    return div.textContent.replace(/\s+/g, " ").trim().length;
  };
  const refreshSend = () => {
    const files = form.querySelectorAll(".files li a").length;
    const ok = plainLength(currentHtml()) >= Number(form.dataset.minChars) || files > 0;
    const over = endsAt && Date.now() + offset >= endsAt;
    form.querySelectorAll("[data-send]").forEach((b) => (b.disabled = !ok || over));
  };
  const remember = () => {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ version, html: currentHtml() }));
    } catch (error) {
      /* private mode or full storage: the server copy still exists */
    }
  };
  const changed = () => {
    if (submitting) return;
    version += 1;
    form.dataset.dirty = "1";
    remember();
    refreshSend();
  };
  const save = async () => {
    if (saving || form.dataset.dirty !== "1") return;
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
        body: JSON.stringify({ version: sentVersion, text: currentHtml() }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        if (version === sentVersion) form.dataset.dirty = "0";
        const at = new Date(body.saved_at);
        statusLine.textContent = form.dataset.labelSaved + " " + at.toLocaleTimeString();
      } else if (response.status === 409 || response.status === 400) {
        statusLine.textContent = form.dataset.labelRefused + ": " + (body.error || response.status);
      } else {
        throw new Error(String(response.status));
      }
    } catch (error) {
      statusLine.textContent = form.dataset.labelOffline;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(save, 3000);
    } finally {
      saving = false;
    }
  };

  const attach = (instance) => {
    editor = instance;
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
  };
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea === textarea) attach(event.detail.editor);
  });
  textarea.addEventListener("input", changed);
  textarea.addEventListener("blur", save);
  setInterval(save, 15000);
  window.addEventListener("online", save);
  window.addEventListener("beforeunload", (event) => {
    if (form.dataset.dirty === "1" && !submitting) {
      save();
      event.preventDefault();
    }
  });
  form.addEventListener("submit", (event) => {
    // The editor writes its HTML into the textarea on submit; keep the device copy until sent.
    submitting = true;
    if (editor) textarea.value = editor.getHTML();
    form.dataset.dirty = "0";
    const button = event.submitter;
    if (button && button.hasAttribute("data-send")) button.disabled = true; // one click, one send
  });
  refreshSend();

  // --- uploads with progress ----------------------------------------------------------------------
  const uploadInput = form.querySelector("input[type=file][data-upload-url]");
  const progress = form.querySelector(".upload-progress");
  const uploadError = form.querySelector(".upload-error");
  form.querySelector("[data-upload-button]").addEventListener("click", (event) => {
    if (!uploadInput.files.length) return;
    event.preventDefault();
    const data = new FormData();
    data.append("upload", uploadInput.files[0]);
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    const request = new XMLHttpRequest();
    request.open("POST", uploadInput.dataset.uploadUrl);
    request.setRequestHeader("Accept", "application/json");
    progress.hidden = false;
    uploadError.hidden = true;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
    });
    request.addEventListener("load", () => {
      progress.hidden = true;
      if (request.status === 200) {
        save().finally(() => window.location.reload());
      } else {
        let message = request.statusText;
        try {
          message = JSON.parse(request.responseText).error || message;
        } catch (error) {
          /* not JSON */
        }
        uploadError.textContent = message;
        uploadError.hidden = false;
      }
    });
    request.addEventListener("error", () => {
      progress.hidden = true;
      uploadError.textContent = form.dataset.labelOffline;
      uploadError.hidden = false;
    });
    request.send(data);
  });
})();
