/* MotCua's small behaviours on every page (egov/templates/base.html). Each only improves a
   page that already works without JavaScript:
   - the header's menu folds behind its "Trình đơn" button on a narrow screen (site.css says
     how narrow); without this file the menu wraps onto lines of its own;
   - each table in the page's content gives every cell its column's header (data-label), so on
     a narrow screen site.css can show a row as a stack of "header: value" lines; without this
     file a wide table scrolls inside its own region;
   - the first message after an action takes the focus, so a screen reader reads it at once;
   - a form with data-confirm="…" asks that question before it is sent;
   - a button with data-print (hidden until this file shows it) prints the page.
   No inline handlers anywhere: the Content-Security-Policy forbids them
   (egov/core/security_headers.py). */
(function () {
  "use strict";

  var NARROW = window.matchMedia("(max-width: 1023.98px)");

  function setupMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    var nav = button.closest("nav");

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("menu-open", open);
    }

    button.hidden = false;
    nav.classList.add("menu-ready");
    show(!NARROW.matches);
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu on a narrow screen and gives the focus back to its button.
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && nav.classList.contains("menu-open")) {
        show(false);
        button.focus();
      }
    });
    // Turning a tablet, or widening the window, shows the whole menu again; narrowing folds it.
    NARROW.addEventListener("change", function () {
      show(!NARROW.matches);
    });
  }

  // A header row's cells by column, a cell spanning n columns taking n places.
  function columnLabels(table) {
    var head = table.tHead;
    var row = head && head.rows[head.rows.length - 1];
    var labels = [];
    if (!row) {
      return labels;
    }
    Array.prototype.forEach.call(row.cells, function (cell) {
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < cell.colSpan; i += 1) {
        labels.push(cell.colSpan === 1 ? text : "");
      }
    });
    return labels;
  }

  function labelTable(table) {
    var labels = columnLabels(table);
    if (!labels.length || table.classList.contains("keep-columns")) {
      return;
    }
    // A table shown as blocks loses its table semantics in some browsers: say them in ARIA.
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var inHead = row.parentElement === table.tHead;
        if (cell.tagName === "TH") {
          var scope = cell.getAttribute("scope");
          cell.setAttribute("role", inHead || scope === "col" ? "columnheader" : "rowheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        if (!inHead && cell.colSpan === 1 && labels[column]) {
          cell.setAttribute("data-label", labels[column]);
        }
        column += cell.colSpan;
      });
    });
    table.classList.add("stacks");
  }

  function labelTables(root) {
    var main = document.querySelector("main");
    if (!main || !root || !root.querySelectorAll) {
      return;
    }
    var tables = root.tagName === "TABLE" ? [root] : root.querySelectorAll("table");
    Array.prototype.forEach.call(tables, function (table) {
      if (main.contains(table)) {
        labelTable(table);
      }
    });
  }

  function focusMessage() {
    var first = document.querySelector("main .messages .message");
    var active = document.activeElement;
    if (!first || document.querySelector("[autofocus]") || (active && active !== document.body)) {
      return;
    }
    first.setAttribute("tabindex", "-1");
    first.focus();
  }

  function askBeforeSending(event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }

  // On the document: a form htmx puts in later asks too.
  document.addEventListener("submit", askBeforeSending);

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });

  function showPrintButtons(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
    });
  }

  function start() {
    setupMenu();
    showPrintButtons(document);
    labelTables(document);
    focusMessage();
    // What htmx puts in later (the bus's health table every ten seconds) is labelled too.
    document.body.addEventListener("htmx:load", function (event) {
      labelTables(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
