/* Tables section, progressive enhancement only (every control works without it):
 *  - "select all" for the bulk-delete checkboxes; "Delete selected" disabled while none is ticked
 *    (without JS it stays enabled and the server refuses an empty selection in words)
 *  - the filter row offers only the conditions that fit the chosen column, and suggests enum / boolean values
 * Delegated listeners, so they survive htmx swaps. */
(function () {
  "use strict";

  function fitFilterRow(columnSelect) {
    var row = columnSelect.closest(".filter-add");
    if (!row) { return; }
    var chosen = columnSelect.options[columnSelect.selectedIndex];
    var ops = chosen && chosen.getAttribute("data-ops");
    var allowed = ops ? ops.split(" ") : null;
    var opSelect = row.querySelector('select[name="_fo"]');
    if (opSelect) {
      var firstAllowed = null;
      for (var i = 0; i < opSelect.options.length; i++) {
        var opt = opSelect.options[i];
        var ok = !allowed || allowed.indexOf(opt.value) !== -1;
        opt.hidden = !ok;
        opt.disabled = !ok;
        if (ok && firstAllowed === null) { firstAllowed = opt.value; }
      }
      if (opSelect.selectedOptions.length && opSelect.selectedOptions[0].disabled && firstAllowed) { opSelect.value = firstAllowed; }
    }
    var value = row.querySelector('input[name="_fv"]');
    if (value) {
      var list = chosen && chosen.getAttribute("data-values");
      if (list) { value.setAttribute("list", list); } else { value.removeAttribute("list"); }
    }
  }

  /* every button that submits a form of selected rows (data-needs-selection="<form id>") is usable only
   * while one of that form's checkboxes is ticked */
  function syncSelection() {
    var buttons = document.querySelectorAll("[data-needs-selection]");
    for (var i = 0; i < buttons.length; i++) {
      var form = buttons[i].getAttribute("data-needs-selection");
      var ticked = document.querySelector('input[type="checkbox"][name="pk"][form="' + form + '"]:checked');
      buttons[i].disabled = !ticked;
      buttons[i].title = ticked ? "" : "Tick the rows to delete first";
    }
  }

  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLInputElement && t.hasAttribute("data-select-all")) {
      var table = t.closest("table");
      if (!table) { return; }
      var rows = table.querySelectorAll('input[type="checkbox"][name="pk"]');
      for (var i = 0; i < rows.length; i++) { rows[i].checked = t.checked; }
      syncSelection();
      return;
    }
    if (t instanceof HTMLInputElement && t.name === "pk") { syncSelection(); return; }
    if (t instanceof HTMLSelectElement && t.name === "_fc" && t.closest(".filter-add")) { fitFilterRow(t); }
  });
  document.addEventListener("DOMContentLoaded", syncSelection);
  document.addEventListener("htmx:afterSettle", syncSelection);  /* a new page of rows: nothing ticked */
  window.addEventListener("pageshow", syncSelection);  /* back/forward restores ticks */
})();
