/* SQL console: the editor (CodeMirror 5 from static/vendor attached to the console's textarea, which it keeps
 * up to date, so the form posts what you see), Ctrl/Cmd+Enter runs the statement under the cursor (or the
 * selection), Ctrl/Cmd+Shift+Enter runs everything, Shift+Alt+F formats, Ctrl+Space completes (names from
 * /sql/completions, see sql-complete.js), Esc leaves the editor. A fresh run id per run so "Cancel query" can
 * name it, and "Show in editor" for an error position. Without JavaScript the textarea works on its own.
 *
 * Offsets sent to the server count code points (Python's str), not UTF-16 units: an emoji is one. */
(function () {
  "use strict";

  function textarea() { return document.getElementById("sql-editor"); }
  function form() { return document.getElementById("console-form"); }
  var cm = null;         /* the CodeMirror instance, when it loaded */
  var runAtCursor = null; /* set by Ctrl+Enter for the next submit: the cursor offset (code points) */

  function cpCount(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) { n++; } /* a low surrogate belongs to the code point before it */
    }
    return n;
  }
  function utf16Index(s, cp) {
    var i = 0;
    while (cp > 0 && i < s.length) {
      var c = s.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      cp--;
    }
    return i;
  }

  /* The editor's text and selection as UTF-16 indexes, from CodeMirror or the bare textarea. */
  function state() {
    if (cm) {
      var from = cm.getCursor("from"), to = cm.getCursor("to"), head = cm.getCursor("head");
      return { text: cm.getValue(), start: cm.indexFromPos(from), end: cm.indexFromPos(to), head: cm.indexFromPos(head) };
    }
    var ta = textarea();
    return ta ? { text: ta.value, start: ta.selectionStart, end: ta.selectionEnd, head: ta.selectionEnd } : null;
  }
  function hasSelection(s) { return s && s.end > s.start && s.text.slice(s.start, s.end).trim() !== ""; }

  function select(start, end) {
    if (cm) {
      cm.focus();
      cm.setSelection(cm.posFromIndex(start), cm.posFromIndex(end));
      cm.scrollIntoView(null, 60);
      return;
    }
    var ta = textarea();
    if (ta) { ta.focus(); ta.setSelectionRange(start, end); }
  }

  function newRunId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function submitRun(atCursor) {
    var f = form();
    var run = f && f.querySelector("button[data-run]");
    if (!f || !run) { return; }
    var s = state();
    runAtCursor = atCursor && s && !hasSelection(s) ? cpCount(s.text.slice(0, s.head)) : null;
    if (cm) { cm.save(); if (cm.state.completionActive) { cm.closeHint(); } }
    if (typeof f.requestSubmit === "function") { f.requestSubmit(run); } else { run.click(); }
    runAtCursor = null; /* the submit listener has read it (synchronously); a blocked submit must not keep it */
  }

  /* Before any console form is submitted: record the selection (or the cursor) and give the run a new id. */
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!(f instanceof HTMLFormElement)) { return; }
    var isEditor = f.id === "console-form";
    if (!isEditor && !f.classList.contains("confirm-form")) { return; }
    var id = newRunId();
    var shared = document.getElementById("run-id");
    if (shared) { shared.value = id; }
    if (f.elements.run_id) { f.elements.run_id.value = id; }
    if (isEditor) {
      if (cm) { cm.save(); }
      var s = state();
      var has = hasSelection(s);
      f.elements.sel_start.value = has ? String(cpCount(s.text.slice(0, s.start))) : "";
      f.elements.sel_end.value = has ? String(cpCount(s.text.slice(0, s.end))) : "";
      f.elements.cursor.value = runAtCursor === null ? "" : String(runAtCursor);
      runAtCursor = null;
    }
  }, true);

  /* The bare textarea (the editor did not load): Ctrl/Cmd+Enter runs it. */
  document.addEventListener("keydown", function (ev) {
    if (cm || ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey) || ev.target !== textarea()) { return; }
    ev.preventDefault();
    submitRun(!ev.shiftKey);
  });

  /* The Run button says what it runs: the selection or everything. */
  function updateRunLabel() {
    var label = document.querySelector("[data-run-label]");
    if (label) { label.textContent = hasSelection(state()) ? "Run selection" : "Run"; }
  }
  ["select", "keyup", "mouseup", "input", "focus"].forEach(function (name) {
    document.addEventListener(name, function (ev) { if (ev.target === textarea()) { updateRunLabel(); } }, true);
  });

  /* After a successful save, empty the name field for the next one. */
  document.addEventListener("htmx:afterRequest", function (ev) {
    var elt = ev.detail && ev.detail.elt;
    if (elt instanceof Element && elt.hasAttribute("data-save") && ev.detail.successful) {
      var name = document.getElementById("save-name");
      if (name) { name.value = ""; }
    }
  });

  /* Format: the selection, else everything; one undoable change. Without JavaScript the button posts the form. */
  function format() {
    var f = form(), ta = textarea();
    if (!f || !ta || !cm) { return; }
    var whole = !cm.somethingSelected();
    var body = new URLSearchParams(new FormData(f));
    body.set("sql", whole ? cm.getValue() : cm.getSelection());
    window.fetch(ta.getAttribute("data-format-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (answer.error) {
        if (window.pgadmin) { window.pgadmin.flash("error", answer.error, answer.hint); }
        return;
      }
      if (whole) {
        cm.replaceRange(answer.sql, cm.posFromIndex(0), cm.posFromIndex(cm.getValue().length), "+format");
      } else {
        cm.replaceSelection(answer.sql, "around", "+format");
      }
      cm.focus();
    }, function () {
      if (window.pgadmin) { window.pgadmin.flash("error", "Cannot reach the server to format the query.", null); }
    });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    if (cm && t.closest("[data-format]")) {
      ev.preventDefault();
      format();
      return;
    }
    /* "Show in editor": select the character PostgreSQL pointed at (its offset counts code points). */
    var btn = t.closest("[data-goto-offset]");
    if (!btn) { return; }
    var s = state();
    var offset = parseInt(btn.getAttribute("data-goto-offset"), 10);
    if (!s || isNaN(offset)) { return; }
    var start = utf16Index(s.text, offset);
    select(start, Math.min(utf16Index(s.text, offset + 1), s.text.length));
  });

  /* ── the editor ─────────────────────────────────────────────────────── */
  function attach() {
    var ta = textarea();
    if (!ta || !window.CodeMirror || ta.nextSibling && ta.nextSibling.CodeMirror) { return; }
    var hint = window.CodeMirror.hint && window.CodeMirror.hint.pgadmin;
    cm = window.CodeMirror.fromTextArea(ta, {
      mode: "text/x-pgsql",
      theme: "pgadmin",
      lineNumbers: true,
      lineWrapping: true,
      matchBrackets: true,
      indentUnit: 2,
      tabSize: 4,
      viewportMargin: Infinity, /* grows with its text (CSS caps the height) */
      screenReaderLabel: "SQL",
      placeholder: ta.getAttribute("placeholder"),
      hintOptions: { hint: hint, completeSingle: false, closeCharacters: /[\s()[\]{};:>,=]/ },
      extraKeys: {
        "Ctrl-Enter": function () { submitRun(true); },
        "Cmd-Enter": function () { submitRun(true); },
        "Shift-Ctrl-Enter": function () { submitRun(false); },
        "Shift-Cmd-Enter": function () { submitRun(false); },
        "Ctrl-Space": function (ed) { ed.showHint(); },
        "Shift-Alt-F": function () { format(); },
        "Esc": function (ed) { ed.getInputField().blur(); }
      }
    });
    cm.on("change", function () { cm.save(); });
    cm.on("cursorActivity", updateRunLabel);
    /* completion while typing a name (not on paste, not inside strings or comments) */
    cm.on("inputRead", function (ed, change) {
      if (!hint || ed.state.completionActive || change.origin !== "+input") { return; }
      var typed = change.text.join("\n");
      if (!/^[\w$.]$/.test(typed)) { return; }
      var type = ed.getTokenTypeAt(ed.getCursor()) || "";
      if (/string|comment/.test(type)) { return; }
      ed.showHint({ auto: true });
    });
    ta.pgadminEditor = cm;
    updateRunLabel();
  }

  /* After a run the database's names may have changed (DDL): completion asks the server again (a 304 when not). */
  document.addEventListener("htmx:afterRequest", function (ev) {
    var elt = ev.detail && ev.detail.elt;
    if (cm && elt instanceof Element && elt.closest("#console-form, .confirm-form") && window.CodeMirror.hint.pgadmin) {
      window.CodeMirror.hint.pgadmin.stale = true;
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }
})();
