/* SQL console: Ctrl/Cmd+Enter runs (only the selection when text is selected), a fresh run id per
 * run so "Cancel query" can name it, and "Show in editor" for an error position. No framework. */
(function () {
  "use strict";

  function editor() { return document.getElementById("sql-editor"); }

  function newRunId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Before any console form is submitted: record the selection and give the run a new id. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var isEditor = form.id === "console-form";
    if (!isEditor && !form.classList.contains("confirm-form")) { return; }
    var id = newRunId();
    var shared = document.getElementById("run-id");
    if (shared) { shared.value = id; }
    if (form.elements.run_id) { form.elements.run_id.value = id; }
    if (isEditor) {
      var ed = editor();
      var start = document.getElementById("sel-start");
      var end = document.getElementById("sel-end");
      if (ed && start && end) {
        var has = ed.selectionEnd > ed.selectionStart && ed.value.slice(ed.selectionStart, ed.selectionEnd).trim();
        start.value = has ? String(ed.selectionStart) : "";
        end.value = has ? String(ed.selectionEnd) : "";
      }
    }
  }, true);

  /* Ctrl/Cmd+Enter in the editor runs it. */
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey)) { return; }
    var ed = editor();
    if (!ed || ev.target !== ed) { return; }
    ev.preventDefault();
    var form = document.getElementById("console-form");
    var run = form && form.querySelector("button[data-run]");
    if (form && run) {
      if (typeof form.requestSubmit === "function") { form.requestSubmit(run); } else { run.click(); }
    }
  });

  /* The Run button says what will run: the selection or everything. */
  function updateRunLabel() {
    var ed = editor();
    var label = document.querySelector("[data-run-label]");
    if (!ed || !label) { return; }
    var has = ed.selectionEnd > ed.selectionStart && ed.value.slice(ed.selectionStart, ed.selectionEnd).trim();
    label.textContent = has ? "Run selection" : "Run";
  }
  ["select", "keyup", "mouseup", "input", "focus"].forEach(function (name) {
    document.addEventListener(name, function (ev) { if (ev.target === editor()) { updateRunLabel(); } }, true);
  });

  /* After a successful save, empty the name field for the next one. */
  document.addEventListener("htmx:afterRequest", function (ev) {
    var elt = ev.detail && ev.detail.elt;
    if (elt instanceof Element && elt.hasAttribute("data-save") && ev.detail.successful) {
      var name = document.getElementById("save-name");
      if (name) { name.value = ""; }
    }
  });

  /* "Show in editor": select the character PostgreSQL pointed at. */
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    var btn = t.closest("[data-goto-offset]");
    if (!btn) { return; }
    var ed = editor();
    var offset = parseInt(btn.getAttribute("data-goto-offset"), 10);
    if (!ed || isNaN(offset)) { return; }
    ed.focus();
    ed.setSelectionRange(offset, Math.min(offset + 1, ed.value.length));
  });
})();
