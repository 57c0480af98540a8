/* The period page: a live preview of each row (its total in MWh, its green share), a warning before
   leaving the page with figures typed but not saved, and the typed figures carried along when an
   evidence file is attached. A static file, no inline script (CSP); the page works without it. */
(function () {
  "use strict";

  // The same factors as suppliers/units.py (MWH_PER_UNIT).
  var MWH_PER_UNIT = { kWh: 0.001, MWh: 1, GWh: 1000, "万kWh": 10 };
  var GREEN_COLUMNS = ["onsite_renewable", "green_power_trading", "gec", "irec"];
  var GRID_PREFIX = "grid-"; // the evidence form carries the grid's fields under this prefix

  // A number as people type it: full-width digits, thousands separated by commas or spaces,
  // 1.25E+06. Anything else (1.250.000,5, words) gives NaN: the preview stays empty, the
  // server's message says what is wrong.
  function parseNumber(text) {
    var value = (text || "").normalize("NFKC").replace(/[\s\u00a0\u202f\u3000]/g, "");
    if (!value) return null;
    if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$/.test(value) || !/\d/.test(value)) return NaN;
    return Number(value.replace(/,/g, ""));
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function previewRow(row, format) {
    var output = row.querySelector(".line-preview");
    var unit = field(row, "unit");
    var total = field(row, "total_electricity");
    if (!output || !unit || !total) return;
    var factor = MWH_PER_UNIT[unit.value];
    var totalValue = parseNumber(total.value);
    var green = 0;
    var readable = factor !== undefined && totalValue !== null && !isNaN(totalValue);
    GREEN_COLUMNS.forEach(function (name) {
      var input = field(row, name);
      var value = input ? parseNumber(input.value) : null;
      if (value === null) return;
      if (isNaN(value)) readable = false;
      green += value;
    });
    output.classList.remove("over");
    if (!readable) {
      output.textContent = "";
      return;
    }
    var totalMwh = totalValue * factor;
    var share = totalMwh > 0 ? (green * factor * 100) / totalMwh : null;
    output.textContent =
      format.totalLabel + ": " + format.mwh.format(totalMwh) + " · " +
      format.shareLabel + ": " + (share === null ? "—" : format.share.format(share));
    if (share !== null && share > 100) output.classList.add("over");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grid = document.getElementById("period-form");
    if (!grid) return;
    var table = document.getElementById("lines");
    var language = document.documentElement.lang || undefined;
    var format = {
      totalLabel: (table && table.dataset.previewTotal) || "MWh",
      shareLabel: (table && table.dataset.previewShare) || "%",
      mwh: new Intl.NumberFormat(language, { maximumFractionDigits: 3 }),
      share: new Intl.NumberFormat(language, { maximumFractionDigits: 1 }),
    };
    var rows = grid.querySelectorAll("#lines tbody tr");
    rows.forEach(function (row) {
      previewRow(row, format);
    });

    // Figures carried along and shown again but not saved yet count as unsaved edits.
    var dirty = grid.dataset.unsaved === "true";
    grid.addEventListener("input", function (event) {
      dirty = true;
      var row = event.target.closest("tr");
      if (row) previewRow(row, format);
    });
    grid.addEventListener("change", function (event) {
      dirty = true;
      var row = event.target.closest("tr");
      if (row) previewRow(row, format);
    });
    grid.addEventListener("submit", function () {
      dirty = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = ""; // the browser shows its own "leave the page?" text
    });

    // Attaching a file reloads the page: the grid's values go along and come back typed, unsaved.
    var evidence = document.getElementById("evidence-form");
    if (evidence) {
      evidence.addEventListener("submit", function () {
        if (!dirty) return; // nothing typed since the page was shown: the saved figures come back as they are
        evidence.querySelectorAll("input[data-grid-copy]").forEach(function (copy) {
          copy.remove();
        });
        new FormData(grid).forEach(function (value, name) {
          if (name === "csrfmiddlewaretoken" || name === "action" || typeof value !== "string") return;
          var copy = document.createElement("input");
          copy.type = "hidden";
          copy.name = GRID_PREFIX + name;
          copy.value = value;
          copy.setAttribute("data-grid-copy", "");
          evidence.appendChild(copy);
        });
        dirty = false;
      });
    }
  });
})();
