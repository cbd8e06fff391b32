/* The admin site's pages as MotCua shows them (loaded by egov/templates/admin/base_site.html).

   - Django draws yes/no as icons whose text is "True"/"False", and the search box's icon says
     "Search": here they say "Có", "Không", "Tìm kiếm".
   - The autocomplete boxes (select2) name themselves after the empty text of their current
     choice: here each takes its field's label, and the choice it shows. */
(function () {
  "use strict";

  var ICONS = {
    "icon-yes.svg": "Có",
    "icon-no.svg": "Không",
    "icon-unknown.svg": "Không rõ",
    "search.svg": "Tìm kiếm",
  };

  function nameIcons(root) {
    root.querySelectorAll("img[src*='/admin/img/']").forEach(function (image) {
      var file = image.getAttribute("src").split("/").pop();
      if (ICONS[file] && image.alt !== ICONS[file]) {
        image.alt = ICONS[file];
      }
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll(".select2-selection__rendered[id^='select2-']").forEach(function (box) {
      var selectId = box.id.replace(/^select2-/, "").replace(/-container$/, "");
      var label = document.querySelector("label[for='" + selectId + "']");
      if (!label) {
        return;
      }
      var caption = label.textContent.replace(/:\s*$/, "").trim();
      var shown = box.textContent.replace("×", "").trim();
      var name = shown ? caption + ": " + shown : caption + ": chưa chọn";
      if (box.getAttribute("aria-label") !== name) {
        box.setAttribute("aria-label", name);
      }
    });
  }

  function tidy() {
    nameIcons(document);
    nameAutocompletes(document);
  }

  function start() {
    tidy();
    // Rows added to an inline and boxes drawn by select2 after the page loaded.
    new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
