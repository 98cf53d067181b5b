// The slot's grading table: flags a wrong value as it is typed (the server decides, with the same
// messages), greys the grade out when the student is marked absent, asks for a reason as soon as
// an existing grade changes, and marks the rows that will be saved. Nothing here is a rule: without
// this script the form posts the same fields and the server answers the same.
(function () {
  const form = document.querySelector("form.slot-grading");
  if (!form) return;

  const liveError = (field, message) => {
    const cell = field.closest("td");
    let note = cell.querySelector(".field-error[data-live]");
    if (!message) {
      if (note) note.remove();
      field.removeAttribute("aria-invalid");
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.dataset.live = "";
      note.setAttribute("role", "alert");
      cell.append(note);
    }
    note.textContent = message;
    field.setAttribute("aria-invalid", "true");
  };

  const changed = (field) =>
    field.tagName === "SELECT"
      ? Array.from(field.options).some((option) => option.selected !== option.defaultSelected)
      : field.value !== field.defaultValue;

  const refreshRow = (row) => {
    const absence = row.querySelector("[data-absence]");
    const parts = row.querySelectorAll("[data-grade-part]");
    const absent = absence && absence.value !== "";
    parts.forEach((part) => {
      part.disabled = absent;
      if (absent) liveError(part, "");
    });
    const gradeChanged = [absence, ...parts].some((field) => field && !field.disabled && changed(field));
    const anyChanged = Array.from(row.querySelectorAll("select, input:not([type=hidden]), textarea")).some(changed);
    row.classList.toggle("changed", anyChanged);
    const reason = row.querySelector("[data-reason]");
    if (reason && row.hasAttribute("data-graded")) {
      const missing = gradeChanged && !reason.value.trim();
      reason.required = gradeChanged;
      liveError(reason, missing ? form.dataset.msgReason : "");
    }
  };

  const checkPoints = (field) => {
    if (!field.matches("input.points")) return;
    const bad = field.value !== "" && !field.checkValidity();
    const typedJunk = field.validity.badInput;
    liveError(field, bad || typedJunk ? form.dataset.msgPoints : "");
  };

  form.addEventListener("input", (event) => {
    checkPoints(event.target);
    const row = event.target.closest("[data-grading-row]");
    if (row) refreshRow(row);
  });
  form.addEventListener("change", (event) => {
    const row = event.target.closest("[data-grading-row]");
    if (row) refreshRow(row);
  });
  form.querySelectorAll("[data-grading-row]").forEach(refreshRow);
})();
