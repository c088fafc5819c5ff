/*
 * Draws the Plotly figures that the server built. Each chart is an element with
 * data-chart="<id>", and the figure is JSON in <script type="application/json" id="<id>">
 * (Django's json_script), so no inline script is needed (strict CSP).
 * Charts in content that htmx swaps in are drawn after the swap.
 */
(function () {
  "use strict";

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function draw(element) {
    if (!window.Plotly || element.getAttribute("data-chart-drawn") === "true") {
      return;
    }
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure;
    try {
      figure = JSON.parse(source.textContent);
    } catch (error) {
      element.textContent = "Diagrammet kunde inte visas. Uppgifterna finns i tabellen.";
      return;
    }
    var config = Object.assign({}, CONFIG, figure.config || {});
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config);
    element.setAttribute("data-chart-drawn", "true");
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = scope.querySelectorAll("[data-chart]");
    for (var i = 0; i < elements.length; i += 1) {
      draw(elements[i]);
    }
  }

  function purge(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) {
      return;
    }
    var elements = root.querySelectorAll("[data-chart-drawn]");
    for (var i = 0; i < elements.length; i += 1) {
      window.Plotly.purge(elements[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:beforeSwap", function (event) { purge(event.detail.target); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt); });
})();
