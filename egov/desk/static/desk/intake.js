/* The counter intake form (desk/intake_form.html): the error summary takes the focus, the
   look-ups fill the form ("Điền vào tờ khai", "Điền thông tin của ..."), and the ward is
   picked by name from the province's wards. The form works without this file: the ward's
   name typed in full is resolved by the server. */
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function chooseWard(code, name, label) {
    var input = byId("id_ward_name"), hidden = byId("id_ward_code"), chosen = byId("ward-chosen");
    if (!input || !hidden) { return; }
    input.value = name;
    hidden.value = code;
    if (chosen) { chosen.textContent = "Đã chọn: " + label; }
    var results = byId("ward-results"), status = byId("ward-status");
    if (results) { results.innerHTML = ""; }
    if (status) { status.textContent = "Đã chọn " + label + "."; }
  }

  function forgetWard(message) {
    var hidden = byId("id_ward_code"), chosen = byId("ward-chosen");
    if (hidden) { hidden.value = ""; }
    if (chosen) { chosen.textContent = message || ""; }
  }

  function wardByCode(code) {
    var input = byId("id_ward_name");
    if (!input) { return; }
    var url = input.getAttribute("hx-get") + "?code=" + encodeURIComponent(code);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").querySelector("[data-ward-code]");
        if (found) {
          chooseWard(found.dataset.wardCode, found.dataset.wardName, found.dataset.wardLabel);
        } else {
          input.value = "";
          forgetWard("Xã, phường trong dữ liệu không thuộc tỉnh; hãy chọn lại theo tên.");
        }
      });
  }

  function fill(data) {
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      if (value === "" || value === null || value === undefined) { return; }
      if (key === "ward_code") { wardByCode(String(value)); return; }
      var field = byId("id_" + key);
      if (field) { field.value = value; }
    });
  }

  function options() {
    return Array.prototype.slice.call(document.querySelectorAll("#ward-results .ward-option"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    document.querySelectorAll("[data-needs-script]").forEach(function (element) {
      element.hidden = false;
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (link) {
      // As GOV.UK's summary does: the link puts the cursor in its input, label in view.
      var input = byId(link.getAttribute("href").slice(1));
      if (input) {
        event.preventDefault();
        (input.closest(".field, .paper") || input).scrollIntoView();
        input.focus({ preventScroll: true });
      }
      return;
    }
    var option = event.target.closest("[data-ward-code]");
    if (option) {
      chooseWard(option.dataset.wardCode, option.dataset.wardName, option.dataset.wardLabel);
      byId("id_ward_name").focus();
      return;
    }
    var filler = event.target.closest("[data-fill]");
    if (filler) { fill(JSON.parse(filler.dataset.fill)); }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id === "id_ward_name") { forgetWard(""); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target, list = options();
    if (target.id === "id_ward_name") {
      if (event.key === "Enter") {
        // Enter picks the first match instead of sending the whole form.
        event.preventDefault();
        if (list.length) { list[0].click(); }
      } else if (event.key === "ArrowDown" && list.length) {
        event.preventDefault();
        list[0].focus();
      } else if (event.key === "Escape") {
        byId("ward-results").innerHTML = "";
      }
    } else if (target.classList && target.classList.contains("ward-option")) {
      var at = list.indexOf(target);
      if (event.key === "ArrowDown" || event.key === "ArrowRight") {
        event.preventDefault();
        (list[at + 1] || list[0]).focus();
      } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
        event.preventDefault();
        if (at <= 0) { byId("id_ward_name").focus(); } else { list[at - 1].focus(); }
      } else if (event.key === "Escape") {
        byId("ward-results").innerHTML = "";
        byId("id_ward_name").focus();
      }
    }
  });
})();
