/* pgadmin-py records: open the row form / delete preview <dialog> that htmx swaps into #record_modal,
 * close it, and fill a foreign-key value from its search results. No framework; CSP-safe. */
(function () {
  "use strict";

  function openDialogs(root) {
    var dialogs = (root || document).querySelectorAll("dialog[data-record-dialog]:not([open])");
    for (var i = 0; i < dialogs.length; i++) {
      if (typeof dialogs[i].showModal === "function") { dialogs[i].showModal(); } else { dialogs[i].setAttribute("open", ""); }
      var first = dialogs[i].querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
      if (first) { first.focus(); }
    }
  }

  /* a save that comes back with a conflict (or a form-level error) shows it where the person looks: the
   * banner sits at the top of the form, while the Save button they pressed may be far below it */
  function revealProblem(root) {
    var box = root.querySelector("[data-reveal]");
    if (!box) { return; }
    box.scrollIntoView({ block: "start" });
    box.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSwap", function (ev) {
    openDialogs(ev.target);
    if (ev.target instanceof Element && ev.target.id === "record_form") { revealProblem(ev.target); }
  });
  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); });

  /* rows deleted from a dialog over the table (the server's HX-Trigger): the table under it shows the same
   * view again (its URL holds the filters, sort and position), without those rows */
  document.addEventListener("rows-deleted", function () {
    var browse = document.getElementById("browse");
    if (browse && window.htmx) { window.htmx.ajax("GET", window.location.href, { target: "#browse", swap: "innerHTML" }); }
  });

  /* a closed record dialog leaves the DOM, so the next open starts fresh */
  document.addEventListener("close", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLDialogElement && t.hasAttribute("data-record-dialog")) { t.remove(); }
  }, true);

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }
    var closer = t.closest("[data-dialog-close]");
    if (closer) {
      var dlg = closer.closest("dialog");
      if (dlg) { dlg.close(); }
      return;
    }
    var option = t.closest("[data-fk-value]");
    if (option) {
      var box = option.closest(".fk-field");
      if (!box) { return; }
      var input = box.querySelector(".fk-value");
      if (input) { input.value = option.getAttribute("data-fk-value"); input.dispatchEvent(new Event("change", { bubbles: true })); }
      var fill = option.getAttribute("data-fk-fill");  /* a composite key: its other columns' fields */
      if (fill) {
        var values = JSON.parse(fill);
        Object.keys(values).forEach(function (id) {
          var other = document.getElementById(id);
          if (other) { other.value = values[id]; other.dispatchEvent(new Event("change", { bubbles: true })); }
        });
      }
      var link = box.querySelector(".fk-link");
      if (link) { link.setAttribute("href", option.getAttribute("data-fk-href")); link.classList.remove("is-hidden"); }
      var results = box.querySelector(".fk-results");
      if (results) { results.innerHTML = ""; }
      var search = box.querySelector(".fk-search");
      if (search) { search.value = ""; }
      if (input) { input.focus(); }
    }
  });

  /* a typed foreign-key value no longer matches the row the link points at */
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLInputElement && t.classList.contains("fk-value")) {
      var link = t.closest(".fk-field") && t.closest(".fk-field").querySelector(".fk-link");
      if (link) { link.classList.add("is-hidden"); }
    }
  });
})();
