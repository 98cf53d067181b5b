// Role editor: a module's mode, rights and restrictions are switched off while the module is not
// attached, and read mode switches off (and clears) the rights that need edit mode — settings and
// grading — so what is ticked is always what the role can hold (ADM-3, ADM-4). The server refuses
// the same combinations with their reasons; this only keeps the form honest as it is filled in.
(function () {
  "use strict";
  const EDIT_ONLY = ['input[name$="-may_define_settings"]', 'input[name$="-may_grade"]'];
  const refresh = (block) => {
    const attached = block.querySelector('input[name$="-attached"]');
    const details = block.querySelector("[data-module-details]");
    if (!attached || !details) return;
    details.disabled = !attached.checked;
    const read = block.querySelector('input[name$="-mode"][value="read"]');
    EDIT_ONLY.forEach((selector) => {
      const box = block.querySelector(selector);
      if (!box) return;
      if (read && read.checked) box.checked = false;
      box.disabled = !attached.checked || Boolean(read && read.checked);
    });
  };
  const blocks = () => document.querySelectorAll(".module-block");
  document.addEventListener("change", (event) => {
    const block = event.target.closest(".module-block");
    if (block) refresh(block);
  });
  document.addEventListener("DOMContentLoaded", () => blocks().forEach(refresh));
})();
