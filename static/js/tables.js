/* Tables section, progressive enhancement only (every control works without it):
 *  - "select all" for the bulk-delete checkboxes
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

  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLInputElement && t.hasAttribute("data-select-all")) {
      var table = t.closest("table");
      if (!table) { return; }
      var rows = table.querySelectorAll('input[type="checkbox"][name="pk"]');
      for (var i = 0; i < rows.length; i++) { rows[i].checked = t.checked; }
      return;
    }
    if (t instanceof HTMLSelectElement && t.name === "_fc" && t.closest(".filter-add")) { fitFilterRow(t); }
  });
})();
