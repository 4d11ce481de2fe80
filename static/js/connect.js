/* pgadmin-py: after the credentials page connected, the real app replaces it on the same port.
 * Poll /readyz until it answers 200, then open the dashboard. (The page's meta refresh is the fallback.) */
(function () {
  "use strict";
  var status = document.getElementById("connect-status");
  if (!status || !window.fetch) {
    return;
  }
  var ready = status.getAttribute("data-ready-url");
  var next = status.getAttribute("data-next-url");
  function poll() {
    window.fetch(ready, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.ok) {
        window.location.assign(next);
      } else {
        window.setTimeout(poll, 400);
      }
    }, function () {
      window.setTimeout(poll, 400);
    });
  }
  window.setTimeout(poll, 300);
})();
