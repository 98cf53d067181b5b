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

  // The live slot table polls every 5 s (SLT-6, X-5); skip a poll while a row menu or a dialog is
  // open, so the form someone is filling in is never replaced under their hands.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt.matches("[data-live-poll]") && (elt.querySelector("details[open]") || document.querySelector("dialog[open]")))
      event.preventDefault();
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
