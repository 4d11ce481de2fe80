/* The data grid of a table page (progressive enhancement: without it every cell still links, every row has
 * its Edit link, and a cell's editor is a page of its own at its URL).
 *  - a current cell, moved with the arrow keys (or a click)
 *  - inline editing: double-click or Enter on a cell whose column carries data-cell fetches its editor
 *    (htmx GET, swapped into the <td>); Enter (Ctrl+Enter in a larger box) saves through htmx, Esc cancels,
 *    Tab saves and moves on to the next editable cell
 *  - keys: n new row, e edit row, Delete deletes the ticked rows (or the current one) after the preview,
 *    [ and ] previous and next page ("/" is app.js's search)
 *  - columns can be hidden and resized; the choice is kept per table in localStorage (it changes no rows,
 *    so it is not part of the view's URL)
 * Delegated listeners and a re-scan after each htmx swap, so it survives the table's own swaps. */
(function () {
  "use strict";

  var PREFS = "pgadmin-py-grid:";

  function grid() { return document.querySelector("table.browse-table"); }
  function isTyping(el) {  /* as app.js decides: a ticked checkbox keeps the keys (Delete after ticking rows) */
    if (!el || !(el instanceof Element)) { return false; }
    if (el.tagName === "INPUT") {
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf((el.getAttribute("type") || "text").toLowerCase()) === -1;
    }
    return el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName);
  }
  function prefsKey() { return PREFS + location.pathname; }
  function loadPrefs() {
    try { return JSON.parse(localStorage.getItem(prefsKey()) || "{}") || {}; } catch (e) { return {}; }
  }
  function savePrefs(p) {
    try { localStorage.setItem(prefsKey(), JSON.stringify(p)); } catch (e) { /* private mode: not kept */ }
  }

  /* ── the current cell ─────────────────────────────────────────────── */
  var current = null;
  function setCurrent(td, focus) {
    if (!td) { return; }
    if (current && current !== td) { current.classList.remove("is-current"); current.removeAttribute("tabindex"); }
    current = td;
    td.classList.add("is-current");
    td.setAttribute("tabindex", "-1");
    if (focus) { td.focus({ preventScroll: false }); }
  }
  function cellAt(tr, index) { return tr && tr.children[index] ? tr.children[index] : null; }
  function move(dr, dc) {
    var table = grid();
    if (!table) { return; }
    if (!current || !current.isConnected) { setCurrent(table.querySelector("tbody td"), true); return; }
    var tr = current.parentElement;
    var index = Array.prototype.indexOf.call(tr.children, current);
    if (dr) { tr = dr > 0 ? tr.nextElementSibling : tr.previousElementSibling; }
    var next = cellAt(tr, index + dc);
    while (next && next.offsetParent === null && dc) { next = cellAt(tr, Array.prototype.indexOf.call(tr.children, next) + dc); }
    if (next) { setCurrent(next, true); }
  }

  /* ── inline editing ───────────────────────────────────────────────── */
  function cellUrl(td) {
    var table = td.closest("table.browse-table");
    var tr = td.parentElement;
    if (!table || !tr || !table.hasAttribute("data-rows")) { return null; }
    var index = Array.prototype.indexOf.call(tr.children, td);
    var th = table.querySelector("thead tr").children[index];
    var box = tr.querySelector('input[name="pk"]');
    if (!th || !box || !th.hasAttribute("data-cell")) { return null; }
    return table.getAttribute("data-rows") + box.value + th.getAttribute("data-cell");
  }
  var pendingMove = 0;
  function openEditor(td) {
    var url = td && !td.querySelector("[data-cell-editor]") ? cellUrl(td) : null;
    if (!url || !window.htmx) { return false; }
    closeEditors(td);
    td.__shown = td.innerHTML;
    td.classList.add("is-editing");
    setCurrent(td, false);
    window.htmx.ajax("GET", url, { source: td, target: td, swap: "innerHTML" });
    return true;
  }
  function cancel(td, refresh) {
    if (!td) { return; }
    td.classList.remove("is-editing");
    if (refresh) {  /* after a conflict: the table as it is now */
      window.htmx.ajax("GET", location.href, { source: document.getElementById("browse"), target: "#browse", swap: "innerHTML" });
      return;
    }
    if (typeof td.__shown === "string") { td.innerHTML = td.__shown; }
    setCurrent(td, true);
  }
  function closeEditors(except) {
    var open = document.querySelectorAll("td.is-editing");
    for (var i = 0; i < open.length; i++) { if (open[i] !== except) { cancel(open[i], false); } }
  }
  function changed(form) {
    var input = form.querySelector(".cell-input, .fk-value");
    return !input || input.value !== input.defaultValue || form.querySelector("[data-testid=cell-conflict]") ||
      (input.tagName === "SELECT" && !input.options[input.selectedIndex].defaultSelected);
  }
  function nextEditable(td, step) {
    var tr = td.parentElement;
    var i = Array.prototype.indexOf.call(tr.children, td) + step;
    for (; i >= 0 && i < tr.children.length; i += step) {
      if (cellUrl(tr.children[i]) && tr.children[i].offsetParent !== null) { return tr.children[i]; }
    }
    return null;
  }

  document.addEventListener("dblclick", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element) || t.closest("a, input, select, textarea, button, [data-cell-editor]")) { return; }
    var td = t.closest("table.browse-table tbody td");
    if (td && openEditor(td)) { ev.preventDefault(); }
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    var cancelLink = t.closest("[data-cell-cancel]");
    if (cancelLink && cancelLink.closest("td")) {
      ev.preventDefault();
      cancel(cancelLink.closest("td"), !!cancelLink.closest("form").querySelector("[data-testid=cell-conflict]"));
      return;
    }
    var td = t.closest("table.browse-table tbody td");
    if (td && !td.classList.contains("is-editing")) { setCurrent(td, false); }
  });

  /* keys inside an open editor */
  function editorKey(ev, form) {
    var td = form.closest("td");
    var t = ev.target;
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      cancel(td, !!form.querySelector("[data-testid=cell-conflict]"));
      return;
    }
    if (t instanceof Element && t.classList.contains("fk-search")) { return; }
    var inBox = t instanceof HTMLTextAreaElement;
    if (ev.key === "Enter" && (!inBox || ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      pendingMove = 0;
      form.requestSubmit();
      return;
    }
    if (ev.key === "Tab") {
      ev.preventDefault();
      pendingMove = ev.shiftKey ? -1 : 1;
      if (changed(form)) { form.requestSubmit(); return; }
      var next = nextEditable(td, pendingMove);
      pendingMove = 0;
      cancel(td, false);
      if (next) { openEditor(next); }
    }
  }

  /* the larger editor floats over the page next to its cell: fixed, so the table's scroll box cannot clip it */
  function placeWide(form, td) {
    var cell = td.getBoundingClientRect();
    var width = Math.min(560, window.innerWidth - 32);
    form.style.width = width + "px";
    form.style.left = Math.max(16, Math.min(cell.left, window.innerWidth - width - 16)) + "px";
    var below = window.innerHeight - cell.top;
    form.style.top = (below > 340 ? cell.top : Math.max(16, window.innerHeight - 356)) + "px";
    form.style.maxHeight = (window.innerHeight - 32) + "px";
  }

  function replaceWide() {  /* the window was resized or something scrolled: keep it next to its cell */
    var open = document.querySelectorAll("td > .cell-editor.is-wide");
    for (var i = 0; i < open.length; i++) { placeWide(open[i], open[i].parentElement); }
  }
  window.addEventListener("resize", replaceWide);
  document.addEventListener("scroll", replaceWide, true);

  /* a row's Edit link carries its URL once, in href; its bare hx-get asks for that URL (no per-row copy) */
  document.addEventListener("htmx:configRequest", function (ev) {
    var elt = ev.detail.elt;
    if (elt.tagName === "A" && elt.getAttribute("hx-get") === "") { ev.detail.path = elt.getAttribute("href"); }
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    if (!(target instanceof Element)) { return; }
    if (target.id === "browse") { current = null; applyPrefs(); return; }
    if (target.tagName !== "TD" || !target.closest("table.browse-table")) { return; }
    var form = target.querySelector("[data-cell-editor]");
    if (form) {  /* the editor arrived (or came back with an error or a conflict) */
      pendingMove = 0;
      /* htmx binds the new form's hx-post only when the swap settles (20 ms on); an Enter or a click on Save
       * in that window was a plain form submission that left the table for the cell's own page */
      window.htmx.process(form);
      if (form.classList.contains("is-wide")) { placeWide(form, target); }
      var input = form.querySelector(".cell-input, .fk-value");
      if (input) { input.focus(); if (typeof input.select === "function" && input.tagName !== "SELECT") { input.select(); } }
      return;
    }
    target.classList.remove("is-editing");  /* saved: the cell as the table shows it */
    target.classList.add("is-saved");
    window.setTimeout(function () { target.classList.remove("is-saved"); }, 1200);
    var step = pendingMove;
    pendingMove = 0;
    var next = step ? nextEditable(target, step) : null;
    if (next) { openEditor(next); } else { setCurrent(target, true); }
  });

  /* ── page keys ────────────────────────────────────────────────────── */
  function follow(testid) {
    var el = document.querySelector('[data-testid="' + testid + '"]');
    if (el && el.tagName === "A") { el.click(); return true; }
    return false;
  }
  function currentRow() {
    if (current && current.isConnected) { return current.parentElement; }
    return null;
  }
  function deleteRows() {
    var form = document.getElementById("bulk-delete");
    var table = grid();
    if (!form || !table || !window.htmx) { return; }
    var ticked = table.querySelectorAll('input[name="pk"]:checked');
    var keys = [];
    for (var i = 0; i < ticked.length; i++) { keys.push(ticked[i].value); }
    var row = currentRow();
    var own = row && row.querySelector('input[name="pk"]');
    if (!keys.length && own) { keys.push(own.value); }
    if (!keys.length) { return; }
    /* the preview in the dialog over the table (records' delete page, as the row form's Delete opens it) */
    window.htmx.ajax("POST", form.getAttribute("action"), { source: form, target: "#record_modal", swap: "innerHTML", values: { pk: keys } });
  }

  document.addEventListener("keydown", function (ev) {
    var form = ev.target instanceof Element ? ev.target.closest("[data-cell-editor]") : null;
    if (form && form.closest("table.browse-table")) { editorKey(ev, form); return; }
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) { return; }
    if (document.querySelector("dialog[open]") || !grid()) { return; }
    var key = ev.key;
    var handled = true;
    if (key === "ArrowDown") { move(1, 0); }
    else if (key === "ArrowUp") { move(-1, 0); }
    else if (key === "ArrowRight") { move(0, 1); }
    else if (key === "ArrowLeft") { move(0, -1); }
    else if (key === "Enter" && current && current.isConnected && ev.target instanceof Element && ev.target.contains(current)) {
      /* the cell itself, or the page around it that took the focus of the click (body, main) */
      handled = openEditor(current);
    }
    else if (key === "n") { handled = follow("new-row"); }
    else if (key === "e") {
      var row = currentRow();
      var edit = row && row.querySelector("a[hx-get]");
      if (edit) { edit.click(); } else { handled = false; }
    }
    else if (key === "Delete") { deleteRows(); }
    else if (key === "[") { handled = follow("prev"); }
    else if (key === "]") { handled = follow("next"); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); }
  });

  /* ── hidden and resized columns ───────────────────────────────────── */
  function headers(table) { return table.querySelectorAll("thead th[data-name]"); }
  function applyPrefs() {
    var table = grid();
    if (!table) { return; }
    var p = loadPrefs();
    var hidden = p.hidden || [];
    var widths = p.widths || {};
    var ths = table.querySelector("thead tr").children;
    var positions = [];
    for (var i = 0; i < ths.length; i++) {
      var name = ths[i].getAttribute("data-name");
      if (name === null) { continue; }
      if (hidden.indexOf(name) !== -1) { positions.push(String(i + 1)); }
      if (widths[name]) { ths[i].style.width = widths[name] + "px"; ths[i].style.minWidth = widths[name] + "px"; ths[i].style.maxWidth = widths[name] + "px"; }
      else { ths[i].style.width = ""; ths[i].style.minWidth = ""; ths[i].style.maxWidth = ""; }
      if (!ths[i].querySelector(".col-resize")) {
        var grip = document.createElement("span");
        grip.className = "col-resize";
        grip.setAttribute("aria-hidden", "true");
        ths[i].appendChild(grip);
      }
    }
    table.setAttribute("data-hide", positions.join(" "));
    var rows = table.querySelectorAll("tbody tr");
    for (var r = 0; r < rows.length; r++) {  /* a narrowed column cuts its cells (ellipsis) instead of growing */
      for (var c = 0; c < ths.length && c < rows[r].children.length; c++) {
        var width = widths[ths[c].getAttribute("data-name")];
        rows[r].children[c].classList.toggle("is-sized", !!width);
        rows[r].children[c].style.maxWidth = width ? width + "px" : "";
      }
    }
    table.classList.toggle("has-widths", Object.keys(widths).length > 0);
    buildMenu(table, hidden);
  }
  function buildMenu(table, hidden) {
    var bar = document.querySelector(".browse-bar-actions");
    if (!bar) { return; }
    var menu = bar.querySelector(".col-menu");
    if (!menu) {
      menu = document.createElement("details");
      menu.className = "col-menu";
      var summary = document.createElement("summary");
      summary.className = "btn btn-sm";
      summary.setAttribute("data-testid", "columns-menu");
      menu.appendChild(summary);
      var list = document.createElement("div");
      list.className = "col-menu-list";
      menu.appendChild(list);
      bar.insertBefore(menu, bar.firstChild);
    }
    menu.querySelector("summary").textContent = hidden.length ? "Columns (" + hidden.length + " hidden)" : "Columns";
    var box = menu.querySelector(".col-menu-list");
    box.textContent = "";
    var ths = headers(table);
    for (var i = 0; i < ths.length; i++) {
      var name = ths[i].getAttribute("data-name");
      var label = document.createElement("label");
      var check = document.createElement("input");
      check.type = "checkbox";
      check.checked = hidden.indexOf(name) === -1;
      check.setAttribute("data-col-toggle", name);
      label.appendChild(check);
      label.appendChild(document.createTextNode(" " + name));
      box.appendChild(label);
    }
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "btn btn-ghost btn-sm";
    reset.setAttribute("data-col-reset", "");
    reset.textContent = "Show all, reset widths";
    box.appendChild(reset);
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (!(t instanceof HTMLInputElement) || !t.hasAttribute("data-col-toggle")) { return; }
    var p = loadPrefs();
    var hidden = (p.hidden || []).filter(function (n) { return n !== t.getAttribute("data-col-toggle"); });
    if (!t.checked) { hidden.push(t.getAttribute("data-col-toggle")); }
    p.hidden = hidden;
    savePrefs(p);
    applyPrefs();
    var again = document.querySelector('[data-col-toggle="' + CSS.escape(t.getAttribute("data-col-toggle")) + '"]');
    if (again) { again.focus(); }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target instanceof Element && ev.target.closest("[data-col-reset]")) {
      savePrefs({});
      applyPrefs();
    }
  });

  var drag = null;
  document.addEventListener("pointerdown", function (ev) {
    var grip = ev.target instanceof Element ? ev.target.closest(".col-resize") : null;
    if (!grip) { return; }
    ev.preventDefault();
    var th = grip.parentElement;
    drag = { th: th, x: ev.clientX, width: th.getBoundingClientRect().width };
    grip.setPointerCapture(ev.pointerId);
  });
  document.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var w = Math.max(40, Math.round(drag.width + ev.clientX - drag.x));
    drag.th.style.width = w + "px";
    drag.th.style.minWidth = w + "px";
    drag.th.style.maxWidth = w + "px";
    drag.last = w;
  });
  document.addEventListener("pointerup", function () {
    if (!drag) { return; }
    if (drag.last) {
      var p = loadPrefs();
      p.widths = p.widths || {};
      p.widths[drag.th.getAttribute("data-name")] = drag.last;
      savePrefs(p);
      applyPrefs();
    }
    drag = null;
  });

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", applyPrefs); } else { applyPrefs(); }
})();
