/* ER diagram: clicking a line loads the foreign key's details into the side panel (htmx), zoom buttons.
 * Without JavaScript the links still work: a table opens its rows, a line opens the FK page. */
(function () {
  "use strict";

  function svgOf() { return document.querySelector(".diagram-canvas svg.er"); }

  function natural(svg) {
    if (!svg.dataset.w) {
      svg.dataset.w = svg.getAttribute("width");
      svg.dataset.h = svg.getAttribute("height");
    }
    return [parseFloat(svg.dataset.w), parseFloat(svg.dataset.h)];
  }

  function zoom(mode) {
    var svg = svgOf();
    if (!svg) { return; }
    var size = natural(svg);
    var current = parseFloat(svg.dataset.scale || "1");
    var scale = mode === "in" ? current * 1.25 : mode === "out" ? current / 1.25 : 1;
    if (mode === "fit") {
      var box = svg.parentElement.getBoundingClientRect();
      scale = Math.min(1, (box.width - 4) / size[0]);
    }
    scale = Math.max(0.1, Math.min(scale, 3));
    svg.dataset.scale = String(scale);
    svg.setAttribute("width", String(Math.round(size[0] * scale)));
    svg.setAttribute("height", String(Math.round(size[1] * scale)));
  }

  function fitIfWide() {
    var svg = svgOf();
    if (svg && natural(svg)[0] > svg.parentElement.getBoundingClientRect().width) { zoom("fit"); }
  }
  document.addEventListener("DOMContentLoaded", fitIfWide);
  document.addEventListener("htmx:afterSettle", function (ev) {
    if (ev.target && ev.target.id === "canvas") { fitIfWide(); }
  });

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-zoom]") : null;
    if (button) { zoom(button.getAttribute("data-zoom")); return; }
    var edge = ev.target.closest ? ev.target.closest(".diagram-canvas a.er-edge") : null;
    if (!edge || !window.htmx || !document.getElementById("edge")) { return; }
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
    ev.preventDefault();
    var selected = document.querySelectorAll(".diagram-canvas .er-edge.is-selected");
    for (var i = 0; i < selected.length; i++) { selected[i].classList.remove("is-selected"); }
    edge.classList.add("is-selected");
    window.htmx.ajax("GET", edge.getAttribute("href"), { target: "#edge", swap: "innerHTML" });
  });
})();
