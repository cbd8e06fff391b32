/* The admin's e-form builder (egov/catalog/eform_builder.py), enhanced: buttons to add, remove
   and move fields, the name made from the label, the choices shown only for a list, and a
   preview redrawn as the administrator types. Without this file the same rows work by saving:
   a blank row adds, "Xóa trường này" removes, "Thứ tự" orders. */
(function () {
  "use strict";

  function slug(text) {
    var name = text
      .replace(/đ/g, "d")
      .replace(/Đ/g, "d")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "");
    if (name && !/^[a-z]/.test(name)) {
      name = "truong_" + name;
    }
    return name.slice(0, 60).replace(/_+$/, "");
  }

  function parseChoices(text) {
    var choices = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim()) {
        return;
      }
      var bar = line.indexOf("|");
      if (bar < 0) {
        choices.push([slug(line), line.trim()]);
      } else {
        choices.push([line.slice(0, bar).trim(), line.slice(bar + 1).trim()]);
      }
    });
    return choices;
  }

  function make(tag, attrs, text) {
    var element = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      element.setAttribute(key, attrs[key]);
    });
    if (text) {
      element.textContent = text;
    }
    return element;
  }

  function Builder(root) {
    this.root = root;
    this.prefix = root.dataset.prefix;
    this.list = root.querySelector("[data-eform-rows]");
    this.template = root.querySelector("template[data-eform-empty]");
    this.total = root.querySelector("#id_" + this.prefix + "-TOTAL_FORMS");
    this.status = root.querySelector("[data-eform-status]");
    this.previewFields = root.querySelector("[data-eform-preview-fields]");
    this.previewNote = root.querySelector("[data-eform-preview-note]");
    this.previewForm = this.prefix + "-preview-form";
  }

  Builder.prototype.rows = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll(":scope > [data-eform-row]"));
  };

  Builder.prototype.field = function (row, name) {
    return row.querySelector("[name$='-" + name + "']");
  };

  Builder.prototype.title = function (row) {
    var label = this.field(row, "label").value.trim();
    return label || "chưa có nhãn";
  };

  Builder.prototype.announce = function (text) {
    this.status.textContent = "";
    var status = this.status;
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  };

  Builder.prototype.start = function () {
    var builder = this;
    this.root.classList.add("eform-enhanced");
    // The preview's controls belong to a form of their own, so the procedure's form neither
    // sends them nor checks them.
    if (!document.getElementById(this.previewForm)) {
      var form = make("form", { id: this.previewForm, hidden: "", "aria-hidden": "true" });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
      document.body.appendChild(form);
    }
    // The blank row at the end is how a field is added without this file; here the button
    // adds one.
    var initial = parseInt(this.root.querySelector("#id_" + this.prefix + "-INITIAL_FORMS").value, 10);
    var rows = this.rows();
    for (var index = rows.length - 1; index >= initial && !this.values(rows[index], true); index--) {
      rows[index].remove();
      this.total.value = String(index);
    }
    this.rows().forEach(function (row) {
      builder.enhance(row);
    });
    this.root.querySelector("[data-eform-intro]").textContent =
      "Mỗi trường là một ô người nộp hồ sơ điền (và cán bộ tiếp nhận điền thay tại quầy). " +
      "Thêm, xóa và đổi thứ tự các trường bằng các nút; bấm Lưu để ghi lại.";
    var add = make("button", { type: "button", class: "button eform-add" }, "+ Thêm trường");
    add.addEventListener("click", function () {
      builder.add();
    });
    this.list.after(add);
    this.previewNote.textContent = "Như người nộp hồ sơ và cán bộ tiếp nhận sẽ thấy; cập nhật ngay khi bạn sửa.";
    // Typing in the rows redraws the preview; trying the preview itself changes nothing.
    ["input", "change"].forEach(function (kind) {
      builder.list.addEventListener(kind, function () {
        builder.preview();
      });
    });
    this.renumber();
    this.preview();
  };

  Builder.prototype.enhance = function (row) {
    var builder = this;
    var label = this.field(row, "label");
    var name = this.field(row, "name");
    var type = this.field(row, "type");
    // A new field's name follows its label until the administrator types a name.
    name.dataset.auto = name.value ? "" : "1";
    name.addEventListener("input", function () {
      name.dataset.auto = name.value ? "" : "1";
    });
    label.addEventListener("input", function () {
      if (name.dataset.auto) {
        name.value = slug(label.value);
      }
      var text = label.value.trim();
      row.querySelector("[data-eform-title]").textContent = text ? ": " + text : " (chưa có nhãn)";
    });
    type.addEventListener("change", function () {
      builder.showChoices(row);
    });
    this.showChoices(row);
    row.querySelector("[data-eform-order]").hidden = true;
    row.querySelector("[data-eform-delete]").hidden = true;

    var tools = make("div", { class: "eform-tools" });
    var up = make("button", { type: "button", class: "button eform-up" }, "↑ Lên");
    var down = make("button", { type: "button", class: "button eform-down" }, "↓ Xuống");
    var remove = make("button", { type: "button", class: "button eform-remove" }, "Xóa trường");
    up.addEventListener("click", function () {
      builder.move(row, -1, up);
    });
    down.addEventListener("click", function () {
      builder.move(row, 1, down);
    });
    remove.addEventListener("click", function () {
      builder.remove(row);
    });
    tools.append(up, down, remove);
    row.querySelector(".eform-cells").after(tools);

    var removed = make("p", { class: "eform-removed", hidden: "" });
    var undo = make("button", { type: "button", class: "button eform-undo" }, "Hoàn tác");
    undo.addEventListener("click", function () {
      builder.restore(row);
    });
    removed.append(make("span", {}, ""), undo);
    row.querySelector("fieldset").append(removed);
    if (this.field(row, "DELETE").checked) {
      this.remove(row, true);
    }
  };

  Builder.prototype.showChoices = function (row) {
    var isList = this.field(row, "type").value === "select";
    var cell = row.querySelector("[data-eform-choices]");
    cell.hidden = !isList;
    // Hidden and disabled: a list's choices are not sent for a field of another type.
    cell.querySelector("textarea").disabled = !isList;
  };

  Builder.prototype.add = function () {
    var index = parseInt(this.total.value, 10);
    var html = this.template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    this.list.appendChild(row);
    this.total.value = String(index + 1);
    this.enhance(row);
    this.renumber();
    this.preview();
    this.field(row, "label").focus();
    this.announce("Đã thêm trường " + this.position(row) + ".");
  };

  Builder.prototype.position = function (row) {
    return this.rows().indexOf(row) + 1;
  };

  Builder.prototype.move = function (row, step, button) {
    var rows = this.rows();
    var index = rows.indexOf(row);
    var target = rows[index + step];
    if (!target) {
      this.announce("Trường “" + this.title(row) + "” đã ở " + (step < 0 ? "đầu" : "cuối") + " danh sách.");
      return;
    }
    if (step < 0) {
      this.list.insertBefore(row, target);
    } else {
      this.list.insertBefore(target, row);
    }
    this.renumber();
    this.preview();
    button.focus();
    this.announce("Đã chuyển “" + this.title(row) + "” đến vị trí " + this.position(row) + ".");
  };

  Builder.prototype.remove = function (row, quiet) {
    this.field(row, "DELETE").checked = true;
    row.classList.add("eform-is-removed");
    row.querySelector(".eform-cells").hidden = true;
    row.querySelector(".eform-tools").hidden = true;
    var removed = row.querySelector(".eform-removed");
    removed.querySelector("span").textContent =
      "Trường “" + this.title(row) + "” sẽ bị xóa khi lưu. ";
    removed.hidden = false;
    this.preview();
    if (!quiet) {
      removed.querySelector("button").focus();
      this.announce("Đã xóa trường “" + this.title(row) + "”.");
    }
  };

  Builder.prototype.restore = function (row) {
    this.field(row, "DELETE").checked = false;
    row.classList.remove("eform-is-removed");
    row.querySelector(".eform-cells").hidden = false;
    row.querySelector(".eform-tools").hidden = false;
    row.querySelector(".eform-removed").hidden = true;
    this.preview();
    this.field(row, "label").focus();
    this.announce("Đã giữ lại trường “" + this.title(row) + "”.");
  };

  Builder.prototype.renumber = function () {
    var builder = this;
    this.rows().forEach(function (row, index) {
      builder.field(row, "ORDER").value = String(index + 1);
      row.querySelector("[data-eform-number]").textContent = "Trường " + (index + 1);
    });
  };

  // A row's field as the preview shows it; null for a blank row, or a removed one unless
  // `removedToo`.
  Builder.prototype.values = function (row, removedToo) {
    var builder = this;
    function value(name) {
      var input = builder.field(row, name);
      return input ? input.value.trim() : "";
    }
    if (this.field(row, "DELETE").checked && !removedToo) {
      return null;
    }
    if (!value("label") && !value("name") && !value("choices")) {
      return null;
    }
    return {
      label: value("label") || value("name"),
      type: value("type"),
      required: this.field(row, "required").checked,
      choices: value("type") === "select" ? parseChoices(this.field(row, "choices").value) : [],
    };
  };

  Builder.prototype.preview = function () {
    var builder = this;
    var fields = this.rows()
      .map(function (row) {
        return builder.values(row);
      })
      .filter(Boolean);
    this.previewFields.replaceChildren();
    if (!fields.length) {
      this.previewFields.append(
        make("p", { class: "eform-empty" }, "Tờ khai chưa có trường nào: người nộp chỉ khai thông tin chung và nộp giấy tờ.")
      );
      return;
    }
    fields.forEach(function (field, index) {
      var id = builder.prefix + "-preview-" + (index + 1);
      var wrapper = make("div", { class: "eform-preview-field" });
      var control;
      if (field.type === "checkbox") {
        var label = make("label");
        label.append(make("input", { type: "checkbox", form: builder.previewForm }), " " + field.label);
        wrapper.append(label);
        builder.previewFields.append(wrapper);
        return;
      }
      var caption = make("label", { for: id }, field.label);
      if (field.required) {
        caption.append(" ", make("abbr", { title: "bắt buộc" }, "*"));
      }
      if (field.type === "textarea") {
        control = make("textarea", { id: id, rows: "2", form: builder.previewForm });
      } else if (field.type === "select") {
        control = make("select", { id: id, form: builder.previewForm });
        control.append(make("option", { value: "" }, "—"));
        field.choices.forEach(function (choice) {
          control.append(make("option", { value: choice[0] }, choice[1]));
        });
      } else {
        var kinds = { date: "date", number: "number", email: "email", phone: "tel" };
        control = make("input", { id: id, type: kinds[field.type] || "text", form: builder.previewForm });
      }
      wrapper.append(caption, control);
      builder.previewFields.append(wrapper);
    });
  };

  function start() {
    document.querySelectorAll("[data-eform-builder]").forEach(function (root) {
      new Builder(root).start();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
