// One convention for "are you sure?": a form — or its submit button — with data-confirm asks in
// the page's shared <dialog id="confirm-dialog"> (base.html) before it goes: the same dialog with and
// without htmx, in DEBUG and in production, never the browser's window.confirm. data-confirm-button
// names the action on the dialog's button; data-confirm-when="field" asks only when that field was
// changed on the page. After "yes" the form is sent exactly as it would have been.
(function () {
  "use strict";
  let confirmed = null;
  const changed = (form, name) =>
    Array.from(form.elements).some(
      (field) =>
        field.name === name &&
        (field.type === "radio" || field.type === "checkbox"
          ? field.checked !== field.defaultChecked
          : field.value !== field.defaultValue),
    );
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const button = event.submitter;
      const text = (button && button.dataset.confirm) || form.dataset.confirm;
      if (!text) return;
      if (confirmed === form) {
        confirmed = null;
        return;
      }
      if (form.dataset.confirmWhen && !changed(form, form.dataset.confirmWhen)) return;
      const dialog = document.getElementById("confirm-dialog");
      if (!dialog) return;
      event.preventDefault();
      event.stopImmediatePropagation(); // before htmx, which listens on the form itself
      dialog.querySelector("[data-confirm-text]").textContent = text;
      const ok = dialog.querySelector("[data-confirm-ok]");
      ok.textContent = (button && button.dataset.confirmButton) || form.dataset.confirmButton || ok.dataset.label;
      ok.onclick = () => {
        dialog.close();
        confirmed = form;
        form.requestSubmit(button || undefined);
      };
      dialog.showModal();
    },
    true,
  );
  document.addEventListener("click", (event) => {
    if (event.target.closest("#confirm-dialog [data-confirm-cancel]")) document.getElementById("confirm-dialog").close();
  });
})();
