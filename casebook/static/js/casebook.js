/* Casebook's small behaviours, without inline script (CSP: script-src 'self'). */
(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // A session that expired during an htmx request goes back to the login page.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) {
      window.location.reload();
    }
  });
})();
