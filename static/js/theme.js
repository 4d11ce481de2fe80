/* pgadmin-py: apply the theme before first paint. Loaded synchronously in <head>.
 * Saved choice (localStorage "pgadmin-py-theme") wins, else the OS preference, else dark. */
(function () {
  "use strict";
  var theme = null;
  try {
    theme = window.localStorage.getItem("pgadmin-py-theme");
  } catch (e) {
    /* storage disabled: fall through */
  }
  if (theme !== "light" && theme !== "dark") {
    var prefersLight = window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches;
    theme = prefersLight ? "light" : "dark";
  }
  document.documentElement.setAttribute("data-theme", theme);
})();
