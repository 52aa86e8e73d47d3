/* Frontline desk: follow the system's light or dark mode (Bootstrap colour modes), before the page paints.
 * Loaded in <head> without defer on purpose: a dark page must not flash white first. */
(function () {
  "use strict";
  var query = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query.matches ? "dark" : "light");
  }
  apply();
  if (query.addEventListener) query.addEventListener("change", apply);
})();
