// The target grid of the structure pages: per row, only the fields the chosen kind uses are
// shown (a bound needs a comparison and a number, a direction a trend and an optional base).
// Without JavaScript every field is shown and the server says which ones a kind needs.
(function () {
  "use strict";
  var USES = {
    "": [],
    varde: ["value"],
    grans: ["operator", "value"],
    riktning: ["trend", "base_value", "base_year"],
    text: ["text"],
    iu: []
  };
  var FIELDS = ["operator", "value", "trend", "base_value", "base_year", "text"];

  function update(row) {
    var kind = row.querySelector("select[name$='-kind']");
    if (!kind) return;
    var used = USES[kind.value] || FIELDS;
    FIELDS.forEach(function (name) {
      var input = row.querySelector("[name$='-" + name + "']");
      if (!input) return;
      var cell = input.closest("td");
      var hasError = cell.querySelector(".error") !== null;
      cell.classList.toggle("unused", used.indexOf(name) < 0 && !hasError && input.value === "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr.target-cell").forEach(function (row) {
      update(row);
      row.addEventListener("change", function (event) {
        if (event.target.name && event.target.name.slice(-5) === "-kind") update(row);
      });
    });
  });
})();
