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
