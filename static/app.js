// The shell's small helpers, loaded on every page (no inline script: the CSP allows none). Each one only improves
// a page that already works without it:
// - the top menu folds behind a "Menu" button on narrow screens (without this script the menu is always shown);
// - a table that is wider than its box scrolls inside it, and that box can be reached and scrolled by keyboard;
// - <time data-local> (the |when filter) shows the moment in the browser's own time zone and language;
// - after a failed submit, focus goes to the first field in error, or to the error message.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    var setOpen = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    };
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  function nameOf(table) {
    var caption = table.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    if (table.getAttribute("aria-label")) { return table.getAttribute("aria-label"); }
    var labelledBy = table.getAttribute("aria-labelledby");
    var label = labelledBy && document.getElementById(labelledBy);
    if (label) { return label.textContent.trim(); }
    var section = table.closest("section, .card");
    var heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "Table";
  }

  // A page may give a table its own scrolling box (with its own name); such a table is left alone.
  function scrollsAlready(table) {
    for (var box = table.parentElement; box && box.id !== "main"; box = box.parentElement) {
      var overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") { return true; }
    }
    return false;
  }

  function setUpTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (scrollsAlready(table)) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    var mark = function () {
      document.querySelectorAll(".table-scroll").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", nameOf(box.querySelector("table")) + " (scrolls sideways)");
          box.dataset.scrollMarked = "1";
        } else if (!scrolls && box.dataset.scrollMarked) {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
          delete box.dataset.scrollMarked;
        }
      });
    };
    mark();
    window.addEventListener("resize", mark);
  }

  function setUpTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) { return; }
    var format = new Intl.DateTimeFormat(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    document.querySelectorAll("time[data-local]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) { return; }
      if (!element.title) { element.title = element.textContent.trim(); }
      element.textContent = format.format(moment);
    });
  }

  function focusFirstError() {
    var main = document.getElementById("main");
    if (!main) { return; }
    var target = main.querySelector(".error-summary, [aria-invalid='true']");
    if (!target) {
      target = main.querySelector(".flash-error");
      if (!target || !main.querySelector("form")) { return; }
    }
    if (!target.matches("input, select, textarea, button, a[href]") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  setUpMenu();
  setUpTables();
  setUpTimes();
  focusFirstError();
}());
