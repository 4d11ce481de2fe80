/* pgadmin-py: the little bit of JavaScript the UI needs. No framework, no eval, no inline handlers.
 *
 *  - theme toggle (#theme-toggle, any page; event delegation so it survives hx-boost swaps)
 *  - keyboard shortcuts: "/" focus [data-search], "g" + h/m/t/o/d/s follow nav links carrying
 *    data-shortcut="g x", "?" opens <dialog id="shortcuts">, Esc closes dialogs / leaves a search field
 *  - flash messages: [data-dismiss] closes, .flash[data-autodismiss="ms"] fades out (paused on hover)
 *  - failed htmx requests always produce a visible error flash in #flash; an error response that
 *    carries HX-Retarget (server-rendered flash / form errors) is swapped instead of the generic flash
 *  - html.htmx-busy while any htmx request is in flight (drives the top progress bar)
 *  - [data-copy="#id"] copies that element's text (the migration review's safe-way code)
 */
(function () {
  "use strict";

  var THEME_KEY = "pgadmin-py-theme";
  var root = document.documentElement;

  /* ── theme ─────────────────────────────────────────────────────────── */
  function currentTheme() {
    return root.getAttribute("data-theme") === "light" ? "light" : "dark";
  }

  function setTheme(theme, persist) {
    root.setAttribute("data-theme", theme);
    if (persist) {
      try { window.localStorage.setItem(THEME_KEY, theme); } catch (e) { /* ignore */ }
    }
    var btn = document.getElementById("theme-toggle");
    if (btn) {
      btn.setAttribute("aria-label", theme === "dark" ? "Switch to light theme" : "Switch to dark theme");
      btn.setAttribute("title", theme === "dark" ? "Switch to light theme" : "Switch to dark theme");
    }
  }

  function hasSavedTheme() {
    try { return !!window.localStorage.getItem(THEME_KEY); } catch (e) { return false; }
  }

  if (window.matchMedia) {
    var mq = window.matchMedia("(prefers-color-scheme: light)");
    var onSchemeChange = function (ev) {
      if (!hasSavedTheme()) { setTheme(ev.matches ? "light" : "dark", false); }
    };
    if (mq.addEventListener) { mq.addEventListener("change", onSchemeChange); }
  }

  /* ── dialogs ───────────────────────────────────────────────────────── */
  function openDialog(id) {
    var dlg = document.getElementById(id);
    if (!dlg || dlg.open) { return; }
    if (typeof dlg.showModal === "function") { dlg.showModal(); } else { dlg.setAttribute("open", ""); }
  }

  function closeOpenDialogs() {
    var open = document.querySelectorAll("dialog[open]");
    for (var i = 0; i < open.length; i++) {
      if (typeof open[i].close === "function") { open[i].close(); } else { open[i].removeAttribute("open"); }
    }
    return open.length > 0;
  }

  /* ── copy to the clipboard ─────────────────────────────────────────── */
  function copyText(button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent || "";
    var done = function () {
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
    } else {
      selectText(source);  /* plain http on another host: select it for Ctrl-C */
    }
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    if (sel) { sel.removeAllRanges(); sel.addRange(range); }
  }

  /* ── clicks (delegated) ────────────────────────────────────────────── */
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) { return; }

    if (t.closest("#theme-toggle")) {
      setTheme(currentTheme() === "dark" ? "light" : "dark", true);
      return;
    }

    var copier = t.closest("[data-copy]");
    if (copier) {
      copyText(copier);
      return;
    }

    var opener = t.closest("[data-open-dialog]");
    if (opener) {
      openDialog(opener.getAttribute("data-open-dialog"));
      return;
    }

    var dismiss = t.closest("[data-dismiss]");
    if (dismiss) {
      var fl = dismiss.closest(".flash");
      if (fl) { removeFlash(fl); }
      return;
    }

    /* click on the backdrop of a modal dialog closes it */
    if (t.tagName === "DIALOG" && t.open) {
      var r = t.getBoundingClientRect();
      var inside = ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
      if (!inside) { t.close(); }
    }
  });

  /* ── keyboard shortcuts ────────────────────────────────────────────── */
  var pendingG = false;
  var pendingTimer = null;

  function isTyping(el) {
    if (!el || !(el instanceof Element)) { return false; }
    if (el.isContentEditable) { return true; }
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    if (tag === "INPUT") {
      var type = (el.getAttribute("type") || "text").toLowerCase();
      return ["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"].indexOf(type) === -1;
    }
    return false;
  }

  function resetG() {
    pendingG = false;
    if (pendingTimer) { clearTimeout(pendingTimer); pendingTimer = null; }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.isComposing) { return; }
    var key = ev.key;

    if (key === "Escape") {
      resetG();
      /* modal dialogs close themselves on Esc; this covers non-modal ones and search fields */
      if (closeOpenDialogs()) { return; }
      var a = document.activeElement;
      if (a && a.matches && a.matches("[data-search]")) { a.blur(); }
      return;
    }

    if (ev.ctrlKey || ev.metaKey || ev.altKey) { resetG(); return; }
    if (isTyping(ev.target) || isTyping(document.activeElement)) { resetG(); return; }
    if (document.querySelector("dialog[open]")) { return; }

    if (pendingG) {
      var link = document.querySelector('a[data-shortcut="g ' + key.toLowerCase() + '"]');
      resetG();
      if (link) {
        ev.preventDefault();
        link.click(); /* goes through hx-boost when htmx is loaded, a normal navigation otherwise */
      }
      return;
    }

    if (key === "g") {
      pendingG = true;
      pendingTimer = setTimeout(resetG, 1500);
      return;
    }

    if (key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) {
        ev.preventDefault();
        search.focus();
        if (typeof search.select === "function") { search.select(); }
      }
      return;
    }

    if (key === "?") {
      ev.preventDefault();
      openDialog("shortcuts");
    }
  });

  /* ── flash messages ────────────────────────────────────────────────── */
  function removeFlash(el) {
    if (!el || el.classList.contains("is-leaving")) { return; }
    el.classList.add("is-leaving");
    var done = function () { if (el.parentNode) { el.parentNode.removeChild(el); } };
    el.addEventListener("transitionend", done, { once: true });
    setTimeout(done, 400);
  }

  function scheduleAutodismiss(el) {
    if (el.__pgaScheduled) { return; }
    el.__pgaScheduled = true;
    var ms = parseInt(el.getAttribute("data-autodismiss"), 10) || 6000;
    var tick = function () {
      if (!el.isConnected) { return; }
      if (el.matches(":hover") || el.contains(document.activeElement)) {
        setTimeout(tick, 1500);
        return;
      }
      removeFlash(el);
    };
    setTimeout(tick, ms);
  }

  function scanFlashes(scope) {
    if (!scope || !scope.querySelectorAll) { return; }
    if (scope.matches && scope.matches(".flash[data-autodismiss]")) { scheduleAutodismiss(scope); }
    var list = scope.querySelectorAll(".flash[data-autodismiss]");
    for (var i = 0; i < list.length; i++) { scheduleAutodismiss(list[i]); }
  }

  function flashArea() {
    var area = document.getElementById("flash");
    if (!area) {
      area = document.createElement("div");
      area.id = "flash";
      area.className = "flash-area";
      area.setAttribute("aria-live", "polite");
      document.body.appendChild(area);
    }
    return area;
  }

  var ICON_PATHS = {
    error: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "m9 9 6 6M15 9l-6 6"],
    warning: ["M10.3 4.1 2.8 17.2A2 2 0 0 0 4.5 20h15a2 2 0 0 0 1.7-2.8L13.7 4.1a2 2 0 0 0-3.4 0z", "M12 9.5v4.5", "M12 17.2h.01"]
  };

  /* Build the same markup as the ui.flash() macro, with DOM APIs (no innerHTML). */
  function showFlash(level, message, hint) {
    var NS = "http://www.w3.org/2000/svg";
    var el = document.createElement("div");
    el.className = "flash flash-" + level;
    el.setAttribute("role", level === "error" ? "alert" : "status");

    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "icon flash-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "1.8");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    (ICON_PATHS[level] || ICON_PATHS.error).forEach(function (d) {
      var p = document.createElementNS(NS, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    });
    el.appendChild(svg);

    var body = document.createElement("div");
    body.className = "flash-body";
    var msg = document.createElement("p");
    msg.className = "flash-message";
    msg.textContent = message;
    body.appendChild(msg);
    if (hint) {
      var h = document.createElement("p");
      h.className = "flash-hint";
      h.textContent = hint;
      body.appendChild(h);
    }
    el.appendChild(body);

    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    el.appendChild(close);

    var area = flashArea();
    /* keep the stack short: drop the oldest when more than 4 are shown */
    while (area.children.length >= 4) { area.removeChild(area.firstElementChild); }
    area.appendChild(el);
    return el;
  }

  /* expose for other scripts (e.g. SSE consumers); not used by templates */
  window.pgadmin = { flash: showFlash };

  /* watch for flashes added later (server-rendered after hx-boost, or hx-swap-oob into #flash) */
  if (window.MutationObserver) {
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var added = records[i].addedNodes;
        for (var j = 0; j < added.length; j++) {
          if (added[j].nodeType === 1) { scanFlashes(added[j]); }
        }
      }
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  /* ── htmx integration ──────────────────────────────────────────────── */
  var inFlight = 0;
  function busy(delta) {
    inFlight = Math.max(0, inFlight + delta);
    root.classList.toggle("htmx-busy", inFlight > 0);
  }
  document.addEventListener("htmx:beforeRequest", function () { busy(1); });
  document.addEventListener("htmx:afterRequest", function () { busy(-1); });

  /* htmx does not swap 4xx/5xx responses by default. When the server explicitly aims an error
   * response somewhere (HX-Retarget, e.g. "#flash" with HX-Reswap "beforeend", or a form for a 422),
   * swap it and treat it as handled, so the server's own message is shown instead of the generic one. */
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var d = ev.detail || {};
    var xhr = d.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });

  function requestLabel(detail) {
    var cfg = detail && detail.requestConfig;
    var path = (detail && detail.pathInfo && detail.pathInfo.requestPath) || (cfg && cfg.path) || "";
    var verb = cfg && cfg.verb ? cfg.verb.toUpperCase() : "";
    return (verb + " " + path).trim();
  }

  document.addEventListener("htmx:responseError", function (ev) {
    var d = ev.detail || {};
    var xhr = d.xhr;
    var status = xhr ? xhr.status : 0;
    var text = xhr && xhr.statusText ? " " + xhr.statusText : "";
    var reqId = xhr ? xhr.getResponseHeader("x-request-id") : null;
    var hint = requestLabel(d);
    if (status === 403) {
      hint = "Your session may have expired. Reload the page and try again." + (hint ? " (" + hint + ")" : "");
    } else if (status >= 500) {
      hint = "Check the server log for details." + (hint ? " (" + hint + ")" : "");
    }
    if (reqId) { hint += " Request ID " + reqId + "."; }
    showFlash("error", "The server answered " + status + text + ".", hint);
  });

  document.addEventListener("htmx:sendError", function (ev) {
    var label = requestLabel(ev.detail);
    showFlash("error", "Cannot reach the server.", "Is pgadmin-py still running? Check your connection and retry." + (label ? " (" + label + ")" : ""));
  });

  document.addEventListener("htmx:timeout", function (ev) {
    var label = requestLabel(ev.detail);
    showFlash("warning", "The request timed out.", label || null);
  });

  document.addEventListener("htmx:swapError", function () {
    showFlash("error", "The page could not be updated.", "Reload the page to continue.");
  });

  /* ── boot ──────────────────────────────────────────────────────────── */
  function boot() {
    setTheme(currentTheme(), false);
    scanFlashes(document.body);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
  /* after an hx-boost body swap the toggle button is new: refresh its label */
  document.addEventListener("htmx:afterSettle", function () { setTheme(currentTheme(), false); });
})();
