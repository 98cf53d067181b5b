// Menu sections are <details>: keyboard-friendly without script. This only closes an open
// section when another opens, when the user clicks elsewhere, or presses Escape.
document.addEventListener("click", (event) => {
  document.querySelectorAll(".menu-section details[open]").forEach((section) => {
    if (!section.contains(event.target)) section.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".menu-section details[open]").forEach((section) => {
    section.removeAttribute("open");
    section.querySelector("summary").focus();
  });
});

// A failed htmx request never fails silently: say what happened, in the page's language.
(function () {
  const show = (key) => {
    const box = document.getElementById("global-error");
    if (!box) return;
    box.querySelector("p").textContent = document.body.dataset[key];
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  };
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    show(status === 403 || status === 404 ? "errorForbidden" : "errorServer");
  });
  document.addEventListener("htmx:sendError", () => show("errorNetwork"));
  document.addEventListener("htmx:beforeRequest", () => {
    const box = document.getElementById("global-error");
    if (box) box.hidden = true;
  });
})();

// A one-time secret is selected as soon as it gets focus, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});

// On a phone the header is one line; "Menu" opens the rest below it (#14.9). Without script the
// link's #target opens it (CSS :target).
(function () {
  const header = document.getElementById("topbar");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");
  const setOpen = (open) => {
    header.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    setOpen(!header.classList.contains("menu-open"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();
