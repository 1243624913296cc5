/*
 * Make sure Chart.js is there, from the CDN or from this site.
 *
 * Included by templates/includes/chartjs.html straight after the CDN <script>
 * (which carries Subresource Integrity). If that script did not load (no
 * network, a blocked host, a checksum mismatch), window.Chart is missing and
 * this file loads the self-hosted copy named by its data-local-src attribute.
 *
 * Either way it then fires "chartjs:ready" on document, once, after the page
 * has been parsed, so chart set-up scripts anywhere on the page can listen:
 *
 *   document.addEventListener("chartjs:ready", drawCharts, { once: true });
 *
 * event.detail.source says where Chart.js came from ("cdn", "local" or
 * "local-fallback"); the same word is left on <html data-chartjs="...">.
 * If neither copy loads it fires "chartjs:unavailable" instead, and the
 * pages' data tables remain the way to read the figures.
 */
(function () {
  "use strict";

  var current = document.currentScript;
  var localSrc = current && current.getAttribute("data-local-src");
  var primary = (current && current.getAttribute("data-primary")) || "cdn";

  function whenParsed(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback, { once: true });
    } else {
      callback();
    }
  }

  function announce(name, source) {
    whenParsed(function () {
      document.documentElement.setAttribute("data-chartjs", source);
      document.dispatchEvent(new CustomEvent(name, { detail: { source: source } }));
    });
  }

  if (window.Chart) {
    announce("chartjs:ready", primary);
    return;
  }
  if (!localSrc) {
    announce("chartjs:unavailable", "none");
    return;
  }
  var script = document.createElement("script");
  script.src = localSrc;
  script.onload = function () {
    announce(window.Chart ? "chartjs:ready" : "chartjs:unavailable", window.Chart ? "local-fallback" : "none");
  };
  script.onerror = function () {
    announce("chartjs:unavailable", "none");
  };
  (document.head || document.documentElement).appendChild(script);
})();
