// The entry page's autosave and "Spara alla".
//
// A field (a grid row, #f-<key>) is posted with fetch when one of its controls changes. The
// answer is applied only to the row's message area (.ef-msg), its hidden version and its state
// classes: never to an input, so nothing the user types is replaced. One save per field is in
// flight at a time; a change during a flight is sent after it, with the version the first
// answer returned. A save that is not confirmed (an error status, no answer, a timeout) says
// "Inte sparat" with "Försök igen" and adds `is-unsaved`; "Sparat" is shown only when the
// field's latest content was confirmed. <html data-entry-saves="idle|busy"> tells whether any
// save is in flight or waiting. A qualitative indicator's field is a <textarea> with the same
// name (<key>-value): it is saved the same way when it changes, and Enter in it is a new line.
(function () {
  "use strict";
  const grid = document.getElementById("entry-grid");
  if (!grid || !grid.dataset.saveUrl) return;
  const saveUrl = grid.dataset.saveUrl;
  const saveAllUrl = grid.getAttribute("action");
  const token = grid.querySelector("input[name=csrfmiddlewaretoken]").value;
  const TIMEOUT_MS = 15000;
  const STATE_CLASSES = ["is-saved", "is-warning", "is-error", "is-conflict", "is-unsaved", "is-deleted", "is-missing"];
  const fields = new Map();
  let active = 0;

  function settle() {
    let waiting = active > 0;
    fields.forEach(function (state) { if (state.busy || state.again) waiting = true; });
    document.documentElement.dataset.entrySaves = waiting ? "busy" : "idle";
  }

  function stateOf(row) {
    let state = fields.get(row.id);
    if (!state) {
      state = { busy: false, again: false, edits: 0 };
      fields.set(row.id, state);
    }
    return state;
  }

  function control(row, name) {
    return document.querySelector('[form="entry-grid"][name="' + row.dataset.field + "-" + name + '"]');
  }

  function message(row, items, extra) {
    const area = row.querySelector(".ef-msg");
    area.replaceChildren();
    items.forEach(function (item) {
      const p = document.createElement("p");
      p.className = { saved: "saved", deleted: "saved deleted", warning: "warning-text",
        conflict: "error conflict" }[item.kind] || "error";
      p.textContent = item.text;
      area.appendChild(p);
    });
    if (extra) area.appendChild(extra);
  }

  function setState(row, name) {
    row.classList.remove.apply(row.classList, STATE_CLASSES);
    if (name) row.classList.add("is-" + name);
    const input = control(row, "value");
    if (input) {
      if (name === "error" || name === "conflict") input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  function unsaved(row, reason) {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "small retry";
    retry.textContent = "Försök igen";
    retry.addEventListener("click", function () { save(row); });
    message(row, [{ kind: "error", text: "Inte sparat: " + reason + ". Det du skrev finns kvar." }], retry);
    setState(row, "unsaved");
  }

  function apply(row, answer, edits) {
    const version = control(row, "version");
    if (version && answer.version !== undefined) version.value = String(answer.version);
    const state = stateOf(row);
    const ok = answer.state === "saved" || answer.state === "warning" || answer.state === "deleted";
    if (ok && (state.edits !== edits || state.again)) {
      // Confirmed, but the field has changed since: its latest content is not saved yet.
      message(row, [{ kind: "info", text: "Sparar…" }]);
      row.querySelector(".ef-msg p").className = "pending";
      setState(row, "");
      return;
    }
    message(row, answer.messages || []);
    setState(row, answer.state === "saved" ? "saved" : answer.state);
    if (ok) {
      const input = control(row, "value");
      row.dataset.stored = answer.state === "deleted" ? "" : (input ? input.value : "");
    }
  }

  function collect(row) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    data.append("field", row.dataset.field);
    document.querySelectorAll('[form="entry-grid"][name^="' + row.dataset.field + '-"]').forEach(function (el) {
      if (el.type === "checkbox") { if (el.checked) data.append(el.name, el.value); return; }
      data.append(el.name, el.value);
    });
    if (row.dataset.clear) {
      data.append(row.dataset.field + "-clear", "1");
      delete row.dataset.clear;
    }
    return data;
  }

  // An emptied field with a stored value asks once; declining puts the stored text back.
  function confirmClear(row, count) {
    const input = control(row, "value");
    const reason = control(row, "missing_reason");
    const version = control(row, "version");
    if (!input || input.value.trim() !== "" || (reason && reason.value) || !version || version.value === "0") return true;
    const clear = control(row, "clear");
    if (clear && clear.checked) return true;
    const label = count ? "i " + count + " fält" : "(" + (row.dataset.stored || "") + ")";
    if (window.confirm("Vill du ta bort det sparade värdet " + label + "?")) {
      row.dataset.clear = "1";  // a field saved on this page has no checkbox yet
      return true;
    }
    input.value = row.dataset.stored || "";
    return false;
  }

  function save(row) {
    const state = stateOf(row);
    if (state.busy) { state.again = true; settle(); return; }
    confirmClear(row);
    send(row, state);
  }

  function send(row, state) {
    state.busy = true;
    state.again = false;
    active += 1;
    settle();
    const edits = state.edits;
    const body = collect(row);
    const abort = new AbortController();
    const timer = window.setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    fetch(saveUrl, { method: "POST", body: body, credentials: "same-origin", signal: abort.signal,
      headers: { Accept: "application/json", "X-Requested-With": "fetch" } })
      .then(function (response) {
        const json = (response.headers.get("Content-Type") || "").indexOf("application/json") >= 0;
        return (json ? response.json().catch(function () { return null; }) : Promise.resolve(null))
          .then(function (answer) {
            if ((response.ok || response.status === 422) && answer && answer.state) apply(row, answer, edits);
            else unsaved(row, "servern svarade med fel (" + response.status + ")");
          });
      })
      .catch(function (error) {
        unsaved(row, error && error.name === "AbortError" ? "servern svarade inte i tid" : "servern svarade inte");
      })
      .finally(function () {
        window.clearTimeout(timer);
        active -= 1;
        state.busy = false;
        if (state.again) send(row, state);
        settle();
      });
  }

  function rowOf(el) {
    const name = el.getAttribute("name") || "";
    const match = /^(v\d+-\d+-[a-z]+-\d+)-/.exec(name);
    return match ? document.getElementById("f-" + match[1]) : null;
  }

  document.addEventListener("input", function (event) {
    const row = rowOf(event.target);
    if (!row) return;
    stateOf(row).edits += 1;
    if (row.classList.contains("is-saved") || row.classList.contains("is-deleted")) {
      row.querySelector(".ef-msg").replaceChildren();
      setState(row, "");
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") return;
    const row = rowOf(event.target);
    if (row) save(row);
  });
  document.addEventListener("keydown", function (event) {
    const row = rowOf(event.target);
    if (!row || event.target.tagName === "TEXTAREA") return;
    if (event.key === "Enter") {
      event.preventDefault();  // not the grid's default button (Spara alla)
      save(row);
    } else if (event.altKey && event.key === "ArrowDown") {
      const details = row.querySelector("details");
      if (details) {
        event.preventDefault();
        details.open = true;
        details.querySelector("select, input, textarea").focus();
      }
    }
  });

  // Value to value with Tab: the disclosure, the field's own Spara button and its history link
  // leave the Tab order (a control in an opened disclosure is still reached).
  document.querySelectorAll("tr.entry-field summary, tr.entry-field .ef-actions a, tr.entry-field .ef-actions button")
    .forEach(function (el) { el.tabIndex = -1; });

  const allMsg = document.getElementById("save-all-msg");
  grid.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "field") {
      event.preventDefault();
      save(document.getElementById("f-" + event.submitter.value));
      return;
    }
    event.preventDefault();
    const rows = Array.prototype.slice.call(document.querySelectorAll("tr.entry-field[data-stored]"));
    const emptied = rows.filter(function (row) {
      const input = control(row, "value");
      const reason = control(row, "missing_reason");
      const version = control(row, "version");
      return input && input.value.trim() === "" && !(reason && reason.value) && version && version.value !== "0";
    });
    let clearing = [];
    if (emptied.length && !window.confirm("Vill du ta bort det sparade värdet i " + emptied.length + " fält?")) {
      emptied.forEach(function (row) { control(row, "value").value = row.dataset.stored || ""; });
    } else {
      clearing = emptied;
    }
    active += 1;
    settle();
    allMsg.textContent = "Sparar…";
    whenIdleExcept().then(function () {
      const edits = new Map(rows.map(function (row) { return [row.id, stateOf(row).edits]; }));
      const body = new FormData(grid);
      clearing.forEach(function (row) { body.set(row.dataset.field + "-clear", "1"); });
      const abort = new AbortController();
      const timer = window.setTimeout(function () { abort.abort(); }, TIMEOUT_MS * 2);
      return fetch(saveAllUrl, { method: "POST", body: body, credentials: "same-origin", signal: abort.signal,
        headers: { Accept: "application/json", "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.json().catch(function () { return null; }).then(function (answer) {
            if (!answer || !answer.fields || !(response.ok || response.status === 422)) {
              allMsg.textContent = "Inte sparat: servern svarade med fel (" + response.status + "). Det du skrev finns kvar.";
              return;
            }
            Object.keys(answer.fields).forEach(function (key) {
              const row = document.getElementById("f-" + key);
              if (row) apply(row, answer.fields[key], edits.get(row.id));
            });
            allMsg.textContent = response.ok
              ? "Sparat: " + answer.written + " fält ändrades."
              : "Inget sparades: " + Object.keys(answer.fields).length + " fält behöver rättas. Felen står vid fälten.";
          });
        })
        .catch(function () {
          allMsg.textContent = "Inte sparat: servern svarade inte. Det du skrev finns kvar.";
        })
        .finally(function () { window.clearTimeout(timer); active -= 1; settle(); });
    });
  });

  // Spara alla counts itself as active; wait for the single saves only.
  function whenIdleExcept() {
    return new Promise(function (resolve) {
      (function wait() {
        let busy = false;
        fields.forEach(function (state) { if (state.busy || state.again) busy = true; });
        if (!busy) resolve();
        else window.setTimeout(wait, 50);
      })();
    });
  }

  settle();
})();
