// Rich text editors (django-prose-editor) in pages driven by htmx. Loaded as a module by the
// form media of core.richtext.RichTextWidget.
//
// The editor's own module starts the editors present when it first runs, and a module runs once
// per page: editors arriving later (hx-boost navigation, a dialog re-rendered after a POST) are
// started here. After an htmx history restore the page holds a copy of an editor's markup with
// nothing behind it: the textarea is taken back out of that shell and a live editor started.
// The editor's label is wired to it, since the textarea it points at is hidden.
import { createEditor } from "django-prose-editor/configurable";

const TEXTAREAS = "textarea[data-django-prose-editor-configurable]";

// The editing area is the shell's direct child (the toolbar's heading picker has a .ProseMirror too).
const contentOf = (shell) => shell && shell.querySelector(":scope > .ProseMirror");
const isLive = (shell) => Boolean(contentOf(shell)?.editor);

const startEditors = () => {
  document.querySelectorAll(TEXTAREAS).forEach((textarea) => {
    const shell = textarea.parentElement.closest(".prose-editor");
    if (shell) {
      if (isLive(shell)) return;
      shell.before(textarea);
      shell.remove();
    }
    createEditor(textarea);
  });
};

const labelFor = (textarea) => textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);

document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail;
  const label = labelFor(textarea);
  if (label && !editor.view.dom.hasAttribute("aria-label")) {
    editor.view.dom.setAttribute("aria-label", label.textContent.trim());
  }
});

document.addEventListener("click", (event) => {
  const label = event.target.closest("label[for]");
  const textarea = label && document.getElementById(label.htmlFor);
  if (!textarea || !textarea.matches(TEXTAREAS)) return;
  const content = contentOf(textarea.parentElement.closest(".prose-editor"));
  if (content?.editor) content.editor.commands.focus();
});

document.addEventListener("htmx:afterSettle", startEditors);
document.addEventListener("htmx:historyRestore", startEditors);
startEditors();
