/* ER diagram: clicking a line loads the foreign key's details into the side panel (htmx); zoom buttons;
 * tables can be dragged (their lines follow) and the arrangement is kept per view in local storage.
 * Without JavaScript the links still work: a table opens its rows, a line opens the FK page. */
(function () {
  "use strict";

  var MIN_TEXT_PX = 10;  // Fit never makes the smallest text smaller than this
  var STUB = 34;  // the straight piece at each end of a line (diagram/routing.py)
  var STORE = "pgadmin-py-diagram:";

  function svgOf() { return document.querySelector(".diagram-canvas svg.er"); }

  function natural(svg) {
    if (!svg.dataset.w) {
      svg.dataset.w = svg.getAttribute("width");
      svg.dataset.h = svg.getAttribute("height");
    }
    return [parseFloat(svg.dataset.w), parseFloat(svg.dataset.h)];
  }

  function smallestFont(svg) {
    if (!svg.dataset.minFont) {
      var least = 100;
      var texts = svg.querySelectorAll("text[font-size]");
      for (var i = 0; i < texts.length; i++) { least = Math.min(least, parseFloat(texts[i].getAttribute("font-size"))); }
      svg.dataset.minFont = String(least);
    }
    return parseFloat(svg.dataset.minFont);
  }

  function zoom(mode) {
    var svg = svgOf();
    if (!svg) { return; }
    var size = natural(svg);
    var current = parseFloat(svg.dataset.scale || "1");
    var readable = MIN_TEXT_PX / smallestFont(svg);
    var scale = mode === "in" ? current * 1.25 : mode === "out" ? current / 1.25 : 1;
    if (mode === "fit") {
      var box = svg.parentElement.getBoundingClientRect();
      scale = Math.min(1, (box.width - 4) / size[0], (box.height - 4) / size[1]);
    }
    scale = Math.max(readable, Math.min(scale, 3));
    svg.dataset.scale = String(scale);
    svg.setAttribute("width", String(Math.ceil(size[0] * scale)));  // rounding up keeps the text at or above 10 px
    svg.setAttribute("height", String(Math.ceil(size[1] * scale)));
    if (mode === "fit") { scrollToFirstTable(svg, scale); }
  }

  /* A diagram too big to fit readably opens at its first table (the leftmost column's top), not at an empty corner. */
  function scrollToFirstTable(svg, scale) {
    var first = null;
    var boxes = svg.querySelectorAll("[data-table] > .er-box");
    for (var i = 0; i < boxes.length; i++) {
      var x = parseFloat(boxes[i].getAttribute("x")), y = parseFloat(boxes[i].getAttribute("y"));
      if (!first || x < first[0] - 1 || (Math.abs(x - first[0]) <= 1 && y < first[1])) { first = [x, y]; }
    }
    if (first) {
      svg.parentElement.scrollLeft = Math.max(0, first[0] * scale - 16);
      svg.parentElement.scrollTop = Math.max(0, first[1] * scale - 16);
    }
  }

  /* ---- dragging ---- */

  function storeKey() {
    var canvas = document.querySelector(".diagram-canvas");
    return canvas ? STORE + (canvas.getAttribute("data-layout-key") || "") : null;
  }

  function saved() {
    try { return JSON.parse(window.localStorage.getItem(storeKey()) || "{}"); } catch (e) { return {}; }
  }

  function save(moves) {
    try { window.localStorage.setItem(storeKey(), JSON.stringify(moves)); } catch (e) { /* storage off */ }
  }

  function points(d) {
    var nums = d.match(/-?\d+(\.\d+)?/g) || [];
    var out = [];
    for (var i = 0; i + 1 < nums.length; i += 2) { out.push([parseFloat(nums[i]), parseFloat(nums[i + 1])]); }
    return out;
  }

  function orthogonal(s, ds, e, de) {
    var a = [s[0] + ds * STUB, s[1]];
    var b = [e[0] + de * STUB, e[1]];
    var pts = [s, a];
    if (ds !== de && (ds < 0 ? b[0] <= a[0] : b[0] >= a[0])) {
      var mx = (a[0] + b[0]) / 2;
      pts.push([mx, a[1]], [mx, b[1]]);
    } else if (ds === de) {
      var x = ds > 0 ? Math.max(a[0], b[0]) : Math.min(a[0], b[0]);
      pts.push([x, a[1]], [x, b[1]]);
    } else {
      var my = (a[1] + b[1]) / 2;
      pts.push([a[0], my], [b[0], my]);
    }
    pts.push(b, e);
    return "M" + pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" L");
  }

  function translate(el, d) {
    if (d[0] || d[1]) { el.setAttribute("transform", "translate(" + d[0] + " " + d[1] + ")"); }
    else { el.removeAttribute("transform"); }
  }

  function apply(svg, moves) {
    var tables = svg.querySelectorAll("[data-table]");
    for (var i = 0; i < tables.length; i++) {
      translate(tables[i], moves[tables[i].getAttribute("data-table")] || [0, 0]);
    }
    var edges = svg.querySelectorAll(".er-edges [data-edge]");
    for (var j = 0; j < edges.length; j++) {
      var edge = edges[j];
      var from = moves[edge.getAttribute("data-from")] || [0, 0];
      var to = moves[edge.getAttribute("data-to")] || [0, 0];
      var lines = edge.querySelectorAll(".er-line, .er-hit");
      var line = lines[0];
      if (!line.dataset.d) { line.dataset.d = line.getAttribute("d"); }
      var d = line.dataset.d;
      if (from[0] || from[1] || to[0] || to[1]) {
        var pts = points(d);
        var sides = (edge.getAttribute("data-sides") || "-1,1").split(",").map(Number);
        var s = pts[0], e = pts[pts.length - 1];
        d = orthogonal([s[0] + from[0], s[1] + from[1]], sides[0], [e[0] + to[0], e[1] + to[1]], sides[1]);
      }
      for (var k = 0; k < lines.length; k++) { lines[k].setAttribute("d", d); }
      translate(edge.querySelector(".er-end-from"), from);
      translate(edge.querySelector(".er-end-to"), to);
    }
    var tags = svg.querySelectorAll(".er-labels [data-edge]");
    for (var t = 0; t < tags.length; t++) {
      var owner = svg.querySelector(".er-edges [data-edge=\"" + tags[t].getAttribute("data-edge") + "\"]");
      translate(tags[t], (owner && moves[owner.getAttribute("data-from")]) || [0, 0]);
    }
  }

  function svgPoint(svg, ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  var drag = null;
  var suppressClick = false;

  document.addEventListener("pointerdown", function (ev) {
    var table = ev.target.closest ? ev.target.closest(".diagram-canvas [data-table]") : null;
    var svg = svgOf();
    if (!table || !svg || ev.button !== 0) { return; }
    var moves = saved();
    var key = table.getAttribute("data-table");
    drag = { svg: svg, key: key, start: svgPoint(svg, ev), base: moves[key] || [0, 0], moves: moves, moved: false };
    ev.preventDefault();  // no native link drag, no text selection
  });

  document.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var p = svgPoint(drag.svg, ev);
    var dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    drag.moved = true;
    drag.svg.classList.add("is-dragging");
    drag.moves[drag.key] = [Math.round(drag.base[0] + dx), Math.round(drag.base[1] + dy)];
    apply(drag.svg, drag.moves);
  });

  document.addEventListener("pointerup", function () {
    if (!drag) { return; }
    if (drag.moved) {
      save(drag.moves);
      suppressClick = true;
      drag.svg.classList.remove("is-dragging");
    }
    drag = null;
  });

  function restore() {
    var svg = svgOf();
    if (svg) { apply(svg, saved()); }
  }

  function reset() {
    try { window.localStorage.removeItem(storeKey()); } catch (e) { /* storage off */ }
    restore();
  }

  function ready() {
    restore();
    var svg = svgOf();
    if (svg && natural(svg)[0] > svg.parentElement.getBoundingClientRect().width) { zoom("fit"); }
  }
  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:afterSettle", function (ev) {
    if (ev.target && ev.target.id === "canvas") { ready(); }
    if (ev.target && ev.target.id === "edge") { ev.target.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
  });

  document.addEventListener("click", function (ev) {
    if (suppressClick) {
      suppressClick = false;
      if (ev.target.closest && ev.target.closest(".diagram-canvas")) { ev.preventDefault(); return; }
    }
    var button = ev.target.closest ? ev.target.closest("[data-zoom]") : null;
    if (button) { zoom(button.getAttribute("data-zoom")); return; }
    if (ev.target.closest && ev.target.closest("[data-reset-layout]")) { reset(); return; }
    var edge = ev.target.closest ? ev.target.closest(".diagram-canvas a.er-edge") : null;
    if (!edge || !window.htmx || !document.getElementById("edge")) { return; }
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
    ev.preventDefault();
    var selected = document.querySelectorAll(".diagram-canvas .er-edge.is-selected");
    for (var i = 0; i < selected.length; i++) { selected[i].classList.remove("is-selected"); }
    edge.classList.add("is-selected");
    window.htmx.ajax("GET", edge.getAttribute("href"), { target: "#edge", swap: "innerHTML" });
  }, true);
})();
