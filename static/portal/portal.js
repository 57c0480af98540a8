// The portal's own behaviour, loaded from a file (the CSP allows no inline script). Every page
// works without it; it only adds confirmations, the period grid's preview and keeping typed figures.
"use strict";

document.addEventListener("submit", (event) => {
  // A form with data-confirm asks first (removing an evidence file cannot be undone).
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// --- Numbers as the import reads them, exactly: BigInt micro-units, never floating point. -------
const SCALE = 6;
const ONE = 10n ** BigInt(SCALE);

function decimalParse(text) {
  // Full-width digits and signs (NFKC), thousands separators (commas, spaces), 1.25E+06, a trailing %.
  let value = text.normalize("NFKC").replace(/[\s,_\u00a0\u202f]/g, "").replace(/%$/, "");
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (!match || (match[2] === "" && (match[3] || "") === "")) return null;
  const digits = match[2] + (match[3] || "");
  const exponent = Number(match[4] || 0) - (match[3] || "").length + SCALE;
  if (exponent < 0) {
    // More decimals than a micro-unit: round half to even on the dropped digits.
    const keep = digits.slice(0, digits.length + exponent) || "0";
    const dropped = digits.slice(digits.length + exponent);
    let result = BigInt(keep);
    const half = "5" + "0".repeat(dropped.length - 1);
    if (dropped > half || (dropped === half && result % 2n === 1n)) result += 1n;
    return match[1] === "-" ? -result : result;
  }
  const result = BigInt(digits) * 10n ** BigInt(exponent);
  return match[1] === "-" ? -result : result;
}

function decimalFormat(micro, places) {
  // Rounded half to even to `places` decimals, with thousands separators, as the portal's figures.
  const step = 10n ** BigInt(SCALE - places);
  let units = micro / step;
  const rest = micro % step;
  if (rest * 2n > step || (rest * 2n === step && units % 2n === 1n)) units += 1n;
  const text = units.toString().padStart(places + 1, "0");
  const whole = text.slice(0, text.length - places).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return places ? `${whole}.${text.slice(text.length - places)}` : whole;
}

function periodPreview(table) {
  const perUnit = JSON.parse(table.dataset.mwhPerUnit || "{}");
  const factors = Object.fromEntries(Object.entries(perUnit).map(([unit, mwh]) => [unit, decimalParse(mwh)]));
  const greenFields = ["onsite_renewable", "green_power_trading", "gec", "irec"];
  for (const row of table.querySelectorAll("tbody tr")) {
    const cell = row.querySelector(".row-preview");
    if (!cell) continue;
    const field = (name) => row.querySelector(`[name$="-${name}"]`);
    const update = () => {
      const unit = field("unit") ? field("unit").value : "";
      const total = field("total_electricity") ? decimalParse(field("total_electricity").value) : null;
      if (!unit || !factors[unit] || total === null) {
        cell.textContent = field("total_electricity") && field("total_electricity").value ? table.dataset.previewError : "";
        return;
      }
      let green = 0n;
      for (const name of greenFields) {
        const input = field(name);
        if (!input || !input.value.trim()) continue;
        const value = decimalParse(input.value);
        if (value === null) {
          cell.textContent = table.dataset.previewError;
          return;
        }
        green += value;
      }
      const totalMicroMwh = (total * factors[unit]) / ONE;
      const share = total > 0n ? (green * 100n * ONE) / total : 0n;
      cell.textContent = table.dataset.preview
        .replace("TOTAL", decimalFormat(totalMicroMwh, 3))
        .replace("SHARE", decimalFormat(share, 1));
    };
    row.addEventListener("input", update);
    row.addEventListener("change", update);
    update();
  }
}

// --- Typed figures survive attaching a file, a reload or an accidental click away. ---------------
function keepTyped(form) {
  const key = `portal:${form.dataset.keepTyped}`;
  // The grid's own inputs (form-N-…), not the management form's hidden counts.
  const fields = () => [...form.elements].filter((e) => e.name && e.name.startsWith("form-") && e.type !== "hidden");
  const snapshot = () => Object.fromEntries(fields().map((e) => [e.name, e.type === "checkbox" ? e.checked : e.value]));
  const initial = JSON.stringify(snapshot());
  let dirty = false;
  let leavingOnPurpose = false;

  const stored = window.sessionStorage.getItem(key);
  if (stored && stored !== initial) {
    const values = JSON.parse(stored);
    for (const element of fields()) {
      if (!(element.name in values)) continue;
      if (element.type === "checkbox") element.checked = values[element.name];
      else element.value = values[element.name];
      element.dispatchEvent(new Event("change", { bubbles: true }));
    }
    dirty = true;
    const notice = document.getElementById("restored-notice");
    if (notice) notice.classList.remove("d-none");
  }
  form.addEventListener("input", () => {
    dirty = true;
    window.sessionStorage.setItem(key, JSON.stringify(snapshot()));
  });
  form.addEventListener("change", () => {
    dirty = true;
    window.sessionStorage.setItem(key, JSON.stringify(snapshot()));
  });
  form.addEventListener("submit", () => {
    // Saved by the server from here on (or shown again with its errors, as typed).
    leavingOnPurpose = true;
    window.sessionStorage.removeItem(key);
  });
  for (const other of document.querySelectorAll("form[data-keeps-typed]")) {
    // Attaching evidence reloads the page: the typed figures stay in sessionStorage and come back.
    other.addEventListener("submit", () => {
      leavingOnPurpose = true;
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !leavingOnPurpose) {
      event.preventDefault();
      event.returnValue = form.dataset.leaveWarning || "";
    }
  });
}

// --- A file upload shows how far it has got, then the server's answer replaces the page. -------
function uploadWithProgress(form) {
  const box = document.getElementById("upload-progress");
  if (!box || !window.XMLHttpRequest || !window.FormData) return;
  const bar = box.querySelector("progress");
  const text = document.getElementById("upload-progress-text");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.floor((progress.loaded * 100) / progress.total);
      bar.value = percent;
      text.textContent = box.dataset.sending.replace("PERCENT", String(percent));
    });
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); // the server checks the rows now: an indeterminate bar
      text.textContent = box.dataset.checking;
    });
    request.addEventListener("load", () => {
      // The answer is the page the browser would have shown (the preview or the problems).
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.history.replaceState(null, "", request.responseURL);
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", () => {
      text.textContent = box.dataset.failed;
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    });
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    box.classList.remove("d-none");
    request.send(new FormData(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const upload = document.getElementById("upload-form");
  if (upload) uploadWithProgress(upload);
  const table = document.querySelector("table[data-mwh-per-unit]");
  if (table) periodPreview(table);
  const form = document.querySelector("form[data-keep-typed]");
  if (form) keepTyped(form);
});
