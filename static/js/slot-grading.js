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

  // GRD-3: a written-and-oral total as the parts are typed — their average, rounded half up
  // (grade_scales.total_of; a browser test compares the two). Parts not both valid show "—".
  const total = (row) => {
    const output = row.querySelector("output[data-total]");
    if (!output) return;
    const part = (name) => {
      const field = row.querySelector(`[name$="-${name}"]`);
      return field && !field.disabled && /^\d+$/.test(field.value) && field.checkValidity() ? Number(field.value) : null;
    };
    const written = part("written");
    const oral = part("oral");
    output.textContent = written === null || oral === null ? "—" : String(Math.floor((written + oral) / 2 + 0.5));
  };

  const refreshRow = (row) => {
    const absence = row.querySelector("[data-absence]");
    const parts = row.querySelectorAll("[data-grade-part]");
    const absent = absence && absence.value !== "";
    parts.forEach((part) => {
      part.disabled = absent;
      if (absent) liveError(part, "");
    });
    total(row);
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

  // GRD-5: those who did not show, marked absent in one go; the grader checks and saves.
  const tool = form.querySelector("[data-no-shows-tool]");
  if (tool) {
    tool.hidden = false;
    tool.querySelector("[data-mark-no-shows]").addEventListener("click", () => {
      form.querySelectorAll("[data-grading-row][data-no-show]").forEach((row) => {
        const absence = row.querySelector("[data-absence]");
        if (absence && absence.value === "") {
          absence.value = "unexcused";
          refreshRow(row);
        }
      });
      form.querySelector("button[type=submit]").focus();
    });
  }
})();
