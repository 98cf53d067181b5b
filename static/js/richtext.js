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

// The toolbar's titles are the editor's English words: in the page's language here, from the
// JavaScript catalogue the widget's media loads first (core/i18n_js.py). Screen readers read them.
const gettext = window.gettext || ((text) => text);
const TOOLBAR = {
  bold: gettext("Bold"),
  italic: gettext("Italic"),
  underline: gettext("Underline"),
  strike: gettext("Strikethrough"),
  subscript: gettext("Subscript"),
  superscript: gettext("Superscript"),
  "unordered list": gettext("Bulleted list"),
  "ordered list": gettext("Numbered list"),
  blockquote: gettext("Quotation"),
  paragraph: gettext("Paragraph"),
  "horizontal rule": gettext("Horizontal line"),
  "insert link": gettext("Insert a link"),
  "remove link": gettext("Remove the link"),
  "Insert table": gettext("Insert a table"),
  "Merge cells": gettext("Merge cells"),
  "Split cell": gettext("Split the cell"),
  undo: gettext("Undo"),
  redo: gettext("Redo"),
  "Code block": gettext("Code block"),
  Code: gettext("Code"),
  "edit HTML": gettext("Edit the HTML"),
  figure: gettext("Figure"),
};
const HEADINGS = { "Heading 2": gettext("Heading 2"), "Heading 3": gettext("Heading 3"), "Heading 4": gettext("Heading 4"), Paragraph: gettext("Paragraph") };
const translateToolbar = (root) => {
  root.querySelectorAll(".prose-menubar [title]:not([data-translated])").forEach((control) => {
    const words = TOOLBAR[control.title] || gettext(control.title);
    control.title = words;
    control.setAttribute("aria-label", words);
    control.dataset.translated = "";
  });
  root.querySelectorAll(".prose-menubar__option > *").forEach((option) => {
    if (HEADINGS[option.textContent]) option.textContent = HEADINGS[option.textContent];
  });
};
// The words of the editor's own dialogs (django-prose-editor asks window.gettext for them): named
// here so that makemessages puts them in this project's catalogue.
const gettext_noop = window.gettext_noop || ((text) => text);
[
  gettext_noop("Insert Table"),
  gettext_noop("Table Properties"),
  gettext_noop("Rows"),
  gettext_noop("Columns"),
  gettext_noop("Include header row"),
  gettext_noop("Insert"),
  gettext_noop("Update"),
  gettext_noop("Cancel"),
  gettext_noop("Edit Link"),
  gettext_noop("URL"),
  gettext_noop("Title"),
  gettext_noop("Open in new window"),
  gettext_noop("List properties"),
  gettext_noop("List type"),
  gettext_noop("Start at"),
  gettext_noop("Decimal numbers"),
  gettext_noop("Lowercase letters"),
  gettext_noop("Uppercase letters"),
  gettext_noop("Lowercase Roman numerals"),
  gettext_noop("Uppercase Roman numerals"),
  gettext_noop("Toggle fullscreen"),
  gettext_noop("Bullets"),
];

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

// The toolbar is built as the editor starts — before this module runs or after it, and again when
// htmx swaps an editor in: its buttons are translated as they appear.
const bringsToolbar = (record) =>
  [...record.addedNodes].some((node) => node.nodeType === 1 && (node.closest(".prose-menubar") || node.querySelector(".prose-menubar")));
new MutationObserver((records) => {
  if (records.some(bringsToolbar)) translateToolbar(document);
}).observe(document.documentElement, {
  childList: true,
  subtree: true,
});
document.addEventListener("htmx:afterSettle", startEditors);
document.addEventListener("htmx:historyRestore", startEditors);
startEditors();
translateToolbar(document);
