// A table wider than the screen scrolls inside its own wrapper, not the whole page (390 px
// phones): each table in main that no scrolling wrapper holds yet gets one. While the table is
// wider than its wrapper, the wrapper is a region named by the table's caption (or the heading
// before it) that the keyboard can reach and scroll; otherwise it is no tab stop.
(function () {
  "use strict";

  function scrollsAlready(table) {
    for (let node = table.parentElement; node && node.id !== "main"; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  }

  function nameOf(table) {
    const caption = table.querySelector(":scope > caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (let node = table.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName) && node.textContent.trim()) return node.textContent.trim();
    }
    return "Tabell";
  }

  const wrappers = [];

  function updateFocusable(wrapper) {
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", nameOf(wrapper.firstElementChild));
      wrapper.tabIndex = 0;
    } else {
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
      wrapper.removeAttribute("tabindex");
    }
  }

  function wrapTables(root) {
    for (const table of root.querySelectorAll("table")) {
      if (table.parentElement.closest("table") || scrollsAlready(table)) continue; // nested
      const wrapper = document.createElement("div");
      wrapper.className = "table-scroll js-table-scroll";
      table.parentNode.insertBefore(wrapper, table);
      wrapper.appendChild(table);
      wrappers.push(wrapper);
      updateFocusable(wrapper);
    }
  }

  function start() {
    const main = document.getElementById("main");
    if (!main) return;
    wrapTables(main);
    // Content htmx swaps in (dashboard filters, entry fields) is wrapped as it settles.
    document.body.addEventListener("htmx:afterSettle", (event) => wrapTables(event.target));
    window.addEventListener("resize", () => {
      for (const wrapper of wrappers) if (wrapper.isConnected) updateFocusable(wrapper);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
