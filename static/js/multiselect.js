// SET-4: a multi-select shows at most three chosen names and "+N"; kept current while ticking.
document.querySelectorAll("details.multiselect").forEach((box) => {
  const summary = box.querySelector(".multiselect-summary");
  const render = () => {
    const chosen = [...box.querySelectorAll("input[type=checkbox]:checked")].map((input) =>
      input.closest("label").textContent.trim(),
    );
    summary.replaceChildren();
    if (chosen.length === 0) {
      const none = document.createElement("span");
      none.className = "muted";
      none.textContent = box.dataset.none;
      summary.append(none);
    }
    chosen.slice(0, 3).forEach((name) => {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = name;
      summary.append(badge, " ");
    });
    if (chosen.length > 3) {
      const more = document.createElement("strong");
      more.className = "more";
      more.textContent = box.dataset.moreTemplate.replace("N", String(chosen.length - 3));
      summary.append(more);
    }
  };
  box.addEventListener("change", render);
});
