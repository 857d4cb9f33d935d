// The e-form builder (eforms/builder.py): edits the draft as its definition document, shows a live preview and
// saves the whole document; the server checks everything again and answers each problem with where it is.
(function () {
  "use strict";
  var root = document.querySelector("[data-eform-builder]");
  if (!root) return;
  var doc = JSON.parse(document.getElementById("eform-document").textContent);
  var cfg = JSON.parse(document.getElementById("eform-builder-config").textContent);
  var T = JSON.parse(document.getElementById("eform-builder-text").textContent);
  var sectionsBox = root.querySelector("[data-eb-sections]");
  var previewBox = root.querySelector("[data-eb-preview]");
  var statusBox = root.querySelector("[data-eb-status]");
  var errorsBox = root.querySelector("[data-eb-errors]");
  var open = null; // "s:f" of the field whose editor is open
  var dirty = false;
  var problems = [];
  var uid = 0;
  var VALUE_TYPES = ["text", "textarea", "number", "date", "choice", "multichoice", "yesno", "email", "phone",
    "citizen_id", "passport", "tax_code"];

  // --- helpers -------------------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] === true) node.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function nextId(prefix) { uid += 1; return "eb-" + prefix + "-" + uid; }
  function labelled(text, control, hint) {
    control.id = control.id || nextId("c");
    var wrap = el("div", { class: "eb-control" }, [el("label", { for: control.id, text: text }), control]);
    if (hint) wrap.appendChild(el("p", { class: "help", text: hint }));
    return wrap;
  }
  function input(value, onInput, attrs) {
    var node = el("input", Object.assign({ type: "text" }, attrs || {}));
    node.value = value == null ? "" : value;
    node.addEventListener("input", function () { onInput(node.value); changed(); });
    return node;
  }
  function select(options, value, onChange, attrs) {
    var node = el("select", attrs || {});
    options.forEach(function (o) {
      var opt = el("option", { value: o.value, text: o.label });
      if (String(o.value) === String(value == null ? "" : value)) opt.selected = true;
      node.appendChild(opt);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }
  function checkbox(text, checked, onChange) {
    var box = el("input", { type: "checkbox", id: nextId("k") });
    box.checked = !!checked;
    box.addEventListener("change", function () { onChange(box.checked); changed(); });
    return el("div", { class: "eb-check" }, [box, el("label", { for: box.id, text: text })]);
  }
  function button(text, onClick, attrs) {
    return el("button", Object.assign({ type: "button", class: "button button-small button-secondary", onclick: onClick }, attrs || {}), [text]);
  }
  function typeLabel(type) {
    var found = cfg.types.filter(function (t) { return t.value === type; })[0];
    return found ? found.label : type;
  }
  // A stable value from a label: no diacritics, lower case, underscores ("Nhà ở riêng lẻ" -> "nha_o_rieng_le").
  function slug(text) {
    var s = (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
      .toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
    if (!s) s = "truong";
    if (/^[0-9]/.test(s)) s = "f_" + s;
    return s;
  }
  function allFields() {
    var out = [];
    doc.sections.forEach(function (s) { s.fields.forEach(function (f) { out.push(f); }); });
    return out;
  }
  function uniqueCode(base, except) {
    var used = {};
    allFields().forEach(function (f) { if (f !== except) used[f.code] = true; });
    var code = base, n = 2;
    while (used[code]) { code = base.slice(0, 36) + "_" + n; n += 1; }
    return code;
  }
  function uniqueValue(rows, base, except, key) {
    var used = {};
    rows.forEach(function (r) { if (r !== except) used[r[key]] = true; });
    var value = base, n = 2;
    while (used[value]) { value = base + "_" + n; n += 1; }
    return value;
  }
  function newField(type, label) {
    var f = { code: "", label: label || "", type: type, help_text: "", required: false, preset: "", pattern: "",
      pattern_message: "", default: "", content: "", choices: [], columns: [], file_types: [], condition: null,
      editable_after_prefill: true, prefill: "", applicant_field: "", province: "", _auto: true };
    if (type === "choice" || type === "multichoice") f.choices = [{ value: "", label: "", _auto: true }, { value: "", label: "", _auto: true }];
    if (type === "table") f.columns = [{ code: "", label: "", type: "text", _auto: true }, { code: "", label: "", type: "text", _auto: true }];
    if (type === "file") f.file_types = ["pdf", "jpg", "png"];
    if (type === "static") f.content = "";
    f.code = uniqueCode(slug(f.label || typeLabel(type)), f);
    if (!f.label) f.label = typeLabel(type);
    return f;
  }
  function clean(value) {
    // The document as the server reads it: helper keys (_auto) dropped.
    return JSON.parse(JSON.stringify(value, function (k, v) { return k.charAt(0) === "_" ? undefined : v; }));
  }
  function earlierFields(sIndex, fIndex) {
    var out = [];
    doc.sections.forEach(function (s, si) {
      s.fields.forEach(function (f, fi) {
        if (si < sIndex || (si === sIndex && fIndex !== null && fi < fIndex)) {
          if (VALUE_TYPES.indexOf(f.type) !== -1 || f.type === "file" || f.type === "address" || f.type === "table") out.push(f);
        }
      });
    });
    return out;
  }

  // --- conditions ----------------------------------------------------------------------------------------------
  function operatorsFor(source) {
    var ops;
    if (["choice", "multichoice", "yesno"].indexOf(source.type) !== -1) ops = ["equals", "in", "filled"];
    else if (source.type === "number" || source.type === "date") ops = ["gte", "lte", "equals", "filled"];
    else if (VALUE_TYPES.indexOf(source.type) !== -1) ops = ["equals", "filled"];
    else ops = ["filled"];
    return ops.map(function (o) { return { value: o, label: cfg.operators[o] }; });
  }
  function valuesOf(source) {
    if (source.type === "yesno") return [{ value: "yes", label: T.yes }, { value: "no", label: T.no }];
    return (source.choices || []).filter(function (c) { return c.value; }).map(function (c) { return { value: c.value, label: c.label || c.value }; });
  }
  function conditionEditor(item, sIndex, fIndex, rerender) {
    var box = el("div", { class: "eb-condition" });
    var sources = earlierFields(sIndex, fIndex);
    var cond = item.condition;
    var options = [{ value: "", label: T.always }].concat(sources.map(function (f) { return { value: f.code, label: f.label || f.code }; }));
    box.appendChild(labelled(fIndex === null ? T.showSectionIf : T.showFieldIf, select(options, cond ? cond.field : "", function (code) {
      if (!code) item.condition = null;
      else {
        var source = sources.filter(function (f) { return f.code === code; })[0];
        var first = operatorsFor(source)[0].value;
        var vals = valuesOf(source);
        item.condition = { field: code, operator: first, values: vals.length && first !== "filled" ? [vals[0].value] : [] };
      }
      changed(); rerender();
    })));
    if (!cond) return box;
    var source = sources.filter(function (f) { return f.code === cond.field; })[0];
    if (!source) { box.appendChild(el("p", { class: "error-message", text: T.conditionGone })); return box; }
    box.appendChild(labelled(T.operator, select(operatorsFor(source), cond.operator, function (op) {
      cond.operator = op;
      if (op === "filled") cond.values = [];
      changed(); rerender();
    })));
    if (cond.operator === "filled") return box;
    var vals = valuesOf(source);
    if (vals.length && cond.operator === "in") {
      var group = el("fieldset", { class: "eb-values" }, [el("legend", { text: T.values })]);
      vals.forEach(function (v) {
        group.appendChild(checkbox(v.label, cond.values.indexOf(v.value) !== -1, function (on) {
          cond.values = vals.map(function (x) { return x.value; }).filter(function (x) {
            return x === v.value ? on : cond.values.indexOf(x) !== -1;
          });
        }));
      });
      box.appendChild(group);
    } else if (vals.length) {
      box.appendChild(labelled(T.value, select(vals, cond.values[0], function (v) { cond.values = [v]; changed(); })));
    } else {
      var attrs = source.type === "date" ? { type: "date" } : source.type === "number" ? { inputmode: "decimal" } : {};
      box.appendChild(labelled(T.value, input(cond.values[0] || "", function (v) { cond.values = v ? [v] : []; }, attrs)));
    }
    return box;
  }

  // --- one field -----------------------------------------------------------------------------------------------
  function rowsEditor(field, key, sIndex, fIndex) {
    var isColumns = key === "columns";
    var rows = field[key];
    var codeKey = isColumns ? "code" : "value";
    var list = el("ol", { class: "eb-rows" });
    rows.forEach(function (row, index) {
      var labelInput = input(row.label, function (v) {
        row.label = v;
        if (row._auto) row[codeKey] = uniqueValue(rows, slug(v), row, codeKey);
      }, { "aria-label": (isColumns ? T.columnN : T.choiceN).replace("%(n)s", index + 1), placeholder: isColumns ? T.columnLabel : T.choiceLabel });
      var item = el("li", { class: "eb-row" }, [labelInput]);
      if (isColumns) {
        item.appendChild(select(cfg.column_types, row.type, function (v) { row.type = v; changed(); },
          { "aria-label": T.columnTypeN.replace("%(n)s", index + 1) }));
      }
      item.appendChild(button("✕", function () { rows.splice(index, 1); changed(); refreshField(sIndex, fIndex); },
        { "aria-label": T.removeRow.replace("%(n)s", index + 1), title: T.remove }));
      list.appendChild(item);
    });
    var add = button(isColumns ? T.addColumn : T.addChoice, function () {
      rows.push(isColumns ? { code: "", label: "", type: "text", _auto: true } : { value: "", label: "", _auto: true });
      changed(); refreshField(sIndex, fIndex);
      var inputs = root.querySelectorAll('[data-eb-field="' + sIndex + ":" + fIndex + '"] .eb-rows input[type=text]');
      if (inputs.length) inputs[inputs.length - 1].focus();
    });
    return el("fieldset", { class: "eb-rowset" }, [el("legend", { text: isColumns ? T.columns : T.choices }), list, add]);
  }
  function presetEditor(field, sIndex, fIndex) {
    var offered = cfg.presets[field.type];
    if (!offered) return null;
    var box = el("div", { class: "eb-preset" });
    var options = [{ value: "", label: T.noCheck }].concat(offered);
    box.appendChild(labelled(T.check, select(options, field.preset, function (v) { field.preset = v; changed(); refreshField(sIndex, fIndex); })));
    var row = el("div", { class: "eb-inline" });
    if (field.preset === "length") {
      row.appendChild(labelled(T.minLength, input(field.min_length, function (v) { field.min_length = v ? parseInt(v, 10) : null; }, { type: "number", min: 0 })));
      row.appendChild(labelled(T.maxLength, input(field.max_length, function (v) { field.max_length = v ? parseInt(v, 10) : null; }, { type: "number", min: 0 })));
    } else if (field.preset === "number_range") {
      row.appendChild(labelled(T.minValue, input(field.min_value, function (v) { field.min_value = v === "" ? null : v; }, { inputmode: "decimal" })));
      row.appendChild(labelled(T.maxValue, input(field.max_value, function (v) { field.max_value = v === "" ? null : v; }, { inputmode: "decimal" })));
    } else if (field.preset === "date_range") {
      row.appendChild(labelled(T.minDate, input(field.min_date, function (v) { field.min_date = v || null; }, { type: "date" })));
      row.appendChild(labelled(T.maxDate, input(field.max_date, function (v) { field.max_date = v || null; }, { type: "date" })));
    } else if (field.preset === "pattern") {
      row.appendChild(labelled(T.pattern, input(field.pattern, function (v) { field.pattern = v; }, { spellcheck: "false" }), T.patternHelp));
      row.appendChild(labelled(T.patternMessage, input(field.pattern_message, function (v) { field.pattern_message = v; })));
    }
    if (row.childNodes.length) box.appendChild(row);
    return box;
  }
  function defaultEditor(field) {
    var t = field.type;
    if (["static", "file", "table", "address"].indexOf(t) !== -1) return null;
    var set = function (v) { field.default = v; changed(); };
    if (t === "yesno") return labelled(T.defaultValue, select([{ value: "", label: T.none }, { value: "yes", label: T.yes }, { value: "no", label: T.no }], field.default, set));
    if (t === "choice") return labelled(T.defaultValue, select([{ value: "", label: T.none }].concat(valuesOf(field)), field.default, set));
    if (t === "multichoice") {
      var chosen = (field.default || "").split(",").filter(Boolean);
      var group = el("fieldset", { class: "eb-values" }, [el("legend", { text: T.defaultValue })]);
      valuesOf(field).forEach(function (v) {
        group.appendChild(checkbox(v.label, chosen.indexOf(v.value) !== -1, function (on) {
          chosen = valuesOf(field).map(function (x) { return x.value; }).filter(function (x) { return x === v.value ? on : chosen.indexOf(x) !== -1; });
          field.default = chosen.join(",");
        }));
      });
      return group;
    }
    var attrs = t === "date" ? { type: "date" } : t === "number" ? { inputmode: "decimal" } : {};
    return labelled(T.defaultValue, input(field.default, function (v) { field.default = v; }, attrs));
  }
  function fieldBody(field, sIndex, fIndex) {
    var body = el("div", { class: "eb-field-body" });
    var labelInput = input(field.label, function (v) {
      field.label = v;
      if (field._auto) field.code = uniqueCode(slug(v), field);
      var title = root.querySelector('[data-eb-field="' + sIndex + ":" + fIndex + '"] .eb-field-title');
      if (title) title.textContent = v || T.untitled;
    }, { "data-eb-label": "" });
    body.appendChild(labelled(T.label, labelInput));
    body.appendChild(labelled(T.type, select(cfg.types, field.type, function (v) {
      var fresh = newField(v, field.label);
      ["choices", "columns", "file_types", "content"].forEach(function (k) { if (!field[k] || !field[k].length) field[k] = fresh[k]; });
      field.type = v; field.preset = ""; field.default = "";
      changed(); refreshField(sIndex, fIndex);
    })));
    if (field.type !== "static") body.appendChild(checkbox(T.required, field.required, function (on) { field.required = on; }));
    var preset = presetEditor(field, sIndex, fIndex);
    if (preset) body.appendChild(preset);
    if (field.type === "choice" || field.type === "multichoice") body.appendChild(rowsEditor(field, "choices", sIndex, fIndex));
    if (field.type === "table") {
      body.appendChild(rowsEditor(field, "columns", sIndex, fIndex));
    }
    if (field.type === "file") {
      var types = el("fieldset", { class: "eb-values" }, [el("legend", { text: T.fileTypes })]);
      cfg.file_types.forEach(function (ft) {
        types.appendChild(checkbox(ft.toUpperCase(), field.file_types.indexOf(ft) !== -1, function (on) {
          field.file_types = cfg.file_types.filter(function (x) { return x === ft ? on : field.file_types.indexOf(x) !== -1; });
        }));
      });
      body.appendChild(types);
    }
    if (field.type === "address") {
      body.appendChild(labelled(T.province, select([{ value: "", label: T.anyProvince }].concat(cfg.provinces), field.province, function (v) { field.province = v; changed(); })));
    }
    if (field.type === "static") {
      var area = el("textarea", { rows: 3 });
      area.value = field.content || "";
      area.addEventListener("input", function () { field.content = area.value; changed(); });
      body.appendChild(labelled(T.content, area));
    }
    body.appendChild(conditionEditor(field, sIndex, fIndex, function () { refreshField(sIndex, fIndex); }));
    var more = el("details", { class: "eb-more" }, [el("summary", { text: T.moreOptions })]);
    var help = el("textarea", { rows: 2 });
    help.value = field.help_text || "";
    help.addEventListener("input", function () { field.help_text = help.value; changed(); });
    more.appendChild(labelled(T.helpText, help));
    var def = defaultEditor(field);
    if (def) more.appendChild(def);
    if (["static", "file", "table"].indexOf(field.type) === -1) {
      more.appendChild(labelled(T.prefill, select([{ value: "", label: T.none }].concat(cfg.prefill), field.prefill, function (v) { field.prefill = v; changed(); })));
      more.appendChild(checkbox(T.editableAfterPrefill, field.editable_after_prefill, function (on) { field.editable_after_prefill = on; }));
      var fits = cfg.applicant.filter(function (a) { return a.types.indexOf(field.type) !== -1; });
      if (fits.length) more.appendChild(labelled(T.applicantField, select([{ value: "", label: T.none }].concat(fits), field.applicant_field, function (v) { field.applicant_field = v; changed(); })));
    }
    if (field.type === "table") {
      more.appendChild(labelled(T.minRows, input(field.min_rows, function (v) { field.min_rows = v ? parseInt(v, 10) : null; }, { type: "number", min: 0 })));
      more.appendChild(labelled(T.maxRows, input(field.max_rows, function (v) { field.max_rows = v ? parseInt(v, 10) : null; }, { type: "number", min: 1 })));
    }
    if (field.type === "file") {
      more.appendChild(labelled(T.maxFileMb, input(field.max_file_mb, function (v) { field.max_file_mb = v ? parseInt(v, 10) : null; }, { type: "number", min: 1, max: 20 })));
    }
    more.appendChild(el("p", { class: "help", text: T.codeIs.replace("%(code)s", field.code) }));
    body.appendChild(more);
    return body;
  }
  function fieldProblems(sIndex, fIndex) {
    return problems.filter(function (p) { return p.section === sIndex && p.field === fIndex; });
  }
  function fieldCard(field, sIndex, fIndex) {
    var key = sIndex + ":" + fIndex;
    var isOpen = open === key;
    var card = el("li", { class: "eb-field" + (isOpen ? " is-open" : ""), "data-eb-field": key, draggable: "true" });
    var toggle = el("button", { type: "button", class: "eb-field-toggle", "aria-expanded": isOpen ? "true" : "false", onclick: function () {
      open = isOpen ? null : key; renderSection(sIndex);
      if (!isOpen) { var l = root.querySelector('[data-eb-field="' + key + '"] [data-eb-label]'); if (l) l.focus(); }
    } }, [
      el("span", { class: "eb-handle", "aria-hidden": "true", text: "⠿" }),
      el("span", { class: "eb-field-title", text: field.label || T.untitled }),
      el("span", { class: "eb-field-meta", text: typeLabel(field.type) + (field.required ? " · " + T.requiredShort : "") + (field.condition ? " · " + T.conditional : "") })
    ]);
    var tools = el("span", { class: "eb-tools" }, [
      button("↑", function () { moveField(sIndex, fIndex, -1); }, { "aria-label": T.moveUp + ": " + field.label, disabled: sIndex === 0 && fIndex === 0 }),
      button("↓", function () { moveField(sIndex, fIndex, 1); }, { "aria-label": T.moveDown + ": " + field.label }),
      button(T.duplicate, function () { duplicateField(sIndex, fIndex); }, { "aria-label": T.duplicate + ": " + field.label }),
      button(T.remove, function () { doc.sections[sIndex].fields.splice(fIndex, 1); open = null; changed(); renderAll(); }, { "aria-label": T.remove + ": " + field.label, class: "button button-small button-secondary no" })
    ]);
    card.appendChild(el("div", { class: "eb-field-head" }, [toggle, tools]));
    fieldProblems(sIndex, fIndex).forEach(function (p) { card.appendChild(el("p", { class: "error-message", text: p.message })); });
    if (isOpen) card.appendChild(fieldBody(field, sIndex, fIndex));
    card.addEventListener("dragstart", function (e) { drag = { s: sIndex, f: fIndex }; e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", key); });
    card.addEventListener("dragover", function (e) { if (drag && drag.f !== undefined) { e.preventDefault(); e.stopPropagation(); card.classList.add("is-target"); } });
    card.addEventListener("dragleave", function () { card.classList.remove("is-target"); });
    card.addEventListener("drop", function (e) { if (drag && drag.f !== undefined) { e.preventDefault(); e.stopPropagation(); dropField(sIndex, fIndex); } });
    return card;
  }
  var drag = null;
  function dropField(sIndex, fIndex) {
    if (!drag || drag.f === undefined) return;
    var moved = doc.sections[drag.s].fields.splice(drag.f, 1)[0];
    if (drag.s === sIndex && drag.f < fIndex) fIndex -= 1;
    doc.sections[sIndex].fields.splice(fIndex, 0, moved);
    drag = null; open = null; changed(); renderAll();
  }
  function moveField(sIndex, fIndex, step) {
    var fields = doc.sections[sIndex].fields;
    var target = fIndex + step;
    var field = fields[fIndex];
    if (target < 0) {
      if (sIndex === 0) return;
      fields.splice(fIndex, 1); doc.sections[sIndex - 1].fields.push(field);
      open = (sIndex - 1) + ":" + (doc.sections[sIndex - 1].fields.length - 1);
    } else if (target >= fields.length) {
      if (sIndex === doc.sections.length - 1) return;
      fields.splice(fIndex, 1); doc.sections[sIndex + 1].fields.unshift(field);
      open = (sIndex + 1) + ":0";
    } else {
      fields.splice(fIndex, 1); fields.splice(target, 0, field);
      open = open === sIndex + ":" + fIndex ? sIndex + ":" + target : open;
    }
    changed(); renderAll();
    announce(T.moved);
  }
  function duplicateField(sIndex, fIndex) {
    var copy = JSON.parse(JSON.stringify(doc.sections[sIndex].fields[fIndex]));
    copy.label = copy.label + " " + T.copySuffix;
    copy.code = uniqueCode(slug(copy.label), null);
    copy._auto = true;
    doc.sections[sIndex].fields.splice(fIndex + 1, 0, copy);
    open = sIndex + ":" + (fIndex + 1);
    changed(); renderAll();
  }

  // --- sections ------------------------------------------------------------------------------------------------
  function addMenu(sIndex) {
    var options = [{ value: "", label: T.addField }];
    cfg.types.forEach(function (t) { options.push({ value: "type:" + t.value, label: t.label }); });
    cfg.blocks.forEach(function (b) { options.push({ value: "block:" + b.key, label: T.block + ": " + b.label }); });
    var menu = select(options, "", function (v) {
      if (!v) return;
      var fields = doc.sections[sIndex].fields;
      if (v.indexOf("type:") === 0) {
        fields.push(newField(v.slice(5)));
        open = sIndex + ":" + (fields.length - 1);
      } else {
        var block = cfg.blocks.filter(function (b) { return "block:" + b.key === v; })[0];
        block.fields.forEach(function (f) {
          var copy = Object.assign(newField(f.type), JSON.parse(JSON.stringify(f)));
          copy.code = uniqueCode(f.code, null);
          copy._auto = false;
          fields.push(copy);
        });
        open = null;
      }
      changed(); renderSection(sIndex);
      var label = root.querySelector('[data-eb-field="' + open + '"] [data-eb-label]');
      if (label) { label.focus(); label.select(); }
    }, { class: "eb-add-field", "aria-label": T.addFieldTo.replace("%(section)s", doc.sections[sIndex].title || (sIndex + 1)) });
    return menu;
  }
  function renderSection(sIndex) {
    var old = sectionsBox.querySelector('[data-eb-section="' + sIndex + '"]');
    var fresh = sectionCard(sIndex);
    if (old) old.replaceWith(fresh); else sectionsBox.appendChild(fresh);
  }
  function refreshField(sIndex, fIndex) { renderSection(sIndex); }
  function sectionCard(sIndex) {
    var section = doc.sections[sIndex];
    var card = el("section", { class: "eb-section", "data-eb-section": String(sIndex), "aria-label": T.sectionN.replace("%(n)s", sIndex + 1) });
    var title = input(section.title, function (v) { section.title = v; }, { "data-eb-section-title": "", placeholder: T.sectionTitlePlaceholder });
    var grip = el("span", { class: "eb-step eb-section-grip", draggable: "true", title: T.dragSection, text: "⠿ " + T.stepN.replace("%(n)s", sIndex + 1) });
    grip.addEventListener("dragstart", function (e) { drag = { section: sIndex }; e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", "s" + sIndex); });
    card.addEventListener("dragover", function (e) { if (drag && drag.section !== undefined) { e.preventDefault(); card.classList.add("is-target"); } });
    card.addEventListener("dragleave", function () { card.classList.remove("is-target"); });
    card.addEventListener("drop", function (e) {
      if (!drag || drag.section === undefined) return;
      e.preventDefault();
      var moved = doc.sections.splice(drag.section, 1)[0];
      doc.sections.splice(sIndex, 0, moved);
      drag = null; open = null; changed(); renderAll(); announce(T.moved);
    });
    var head = el("div", { class: "eb-section-head" }, [
      grip,
      labelled(T.sectionTitle, title),
      el("span", { class: "eb-tools" }, [
        button("↑", function () { moveSection(sIndex, -1); }, { "aria-label": T.moveUp + ": " + T.sectionN.replace("%(n)s", sIndex + 1), disabled: sIndex === 0 }),
        button("↓", function () { moveSection(sIndex, 1); }, { "aria-label": T.moveDown + ": " + T.sectionN.replace("%(n)s", sIndex + 1), disabled: sIndex === doc.sections.length - 1 }),
        button(T.remove, function () {
          if (section.fields.length && !window.confirm(T.confirmRemoveSection)) return;
          doc.sections.splice(sIndex, 1); open = null; changed(); renderAll();
        }, { "aria-label": T.remove + ": " + T.sectionN.replace("%(n)s", sIndex + 1), class: "button button-small button-secondary no" })
      ])
    ]);
    card.appendChild(head);
    problems.filter(function (p) { return p.section === sIndex && p.field === null; }).forEach(function (p) {
      card.appendChild(el("p", { class: "error-message", text: p.message }));
    });
    var more = el("details", { class: "eb-more", open: !!section.condition || !!section.help_text }, [el("summary", { text: T.sectionOptions })]);
    var help = el("textarea", { rows: 2 });
    help.value = section.help_text || "";
    help.addEventListener("input", function () { section.help_text = help.value; changed(); });
    more.appendChild(labelled(T.helpText, help));
    more.appendChild(conditionEditor(section, sIndex, null, function () { renderSection(sIndex); }));
    card.appendChild(more);
    var list = el("ol", { class: "eb-fields" });
    section.fields.forEach(function (f, fIndex) { list.appendChild(fieldCard(f, sIndex, fIndex)); });
    list.addEventListener("dragover", function (e) { if (drag && drag.f !== undefined) e.preventDefault(); });
    list.addEventListener("drop", function (e) {
      if (drag && drag.f !== undefined && e.target === list) { e.preventDefault(); e.stopPropagation(); dropField(sIndex, section.fields.length); }
    });
    card.appendChild(list);
    card.appendChild(addMenu(sIndex));
    return card;
  }
  function moveSection(sIndex, step) {
    var target = sIndex + step;
    if (target < 0 || target >= doc.sections.length) return;
    var moved = doc.sections.splice(sIndex, 1)[0];
    doc.sections.splice(target, 0, moved);
    open = null; changed(); renderAll(); announce(T.moved);
  }
  function renderAll() {
    sectionsBox.innerHTML = "";
    doc.sections.forEach(function (_s, i) { sectionsBox.appendChild(sectionCard(i)); });
  }

  // --- preview, save, publish ----------------------------------------------------------------------------------
  function csrf() {
    var token = root.querySelector("[data-eb-publish-form] input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) });
  }
  var previewTimer = null;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 350);
  }
  function preview() {
    post(cfg.urls.preview, clean(doc)).then(function (r) { return r.text(); }).then(function (html) {
      previewBox.innerHTML = html;
      var form = previewBox.querySelector("form.eform");
      if (form && window.EformConditions) window.EformConditions.bind(form);
    });
  }
  function announce(text) { statusBox.textContent = text; }
  function changed() {
    dirty = true;
    announce(T.unsaved);
    schedulePreview();
  }
  function showProblems(message, list) {
    problems = list || [];
    errorsBox.innerHTML = "";
    if (!message) { errorsBox.hidden = true; return; }
    errorsBox.appendChild(el("p", {}, [el("strong", { text: message })]));
    var ul = el("ul");
    problems.forEach(function (p) {
      var link = el("a", { href: "#", text: p.text, onclick: function (e) {
        e.preventDefault();
        if (p.field !== null && p.field !== undefined) { open = p.section + ":" + p.field; renderSection(p.section); }
        var target = root.querySelector(p.field !== null && p.field !== undefined ? '[data-eb-field="' + p.section + ":" + p.field + '"] [data-eb-label]' : '[data-eb-section="' + p.section + '"] [data-eb-section-title]');
        if (target) target.focus();
      } });
      ul.appendChild(el("li", {}, [link]));
    });
    errorsBox.appendChild(ul);
    errorsBox.hidden = false;
    renderAll();
  }
  function save() {
    announce(T.saving);
    return post(cfg.urls.save, clean(doc)).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        dirty = false;
        allFields().forEach(function (f) {
          f._auto = false;
          (f.choices || []).forEach(function (c) { c._auto = false; });
          (f.columns || []).forEach(function (c) { c._auto = false; });
        });
        showProblems("", []);
        announce(result.data.message);
        return true;
      }
      showProblems(result.data.message, result.data.problems);
      announce(result.data.message);
      errorsBox.focus();
      return false;
    }).catch(function () { announce(T.saveFailed); return false; });
  }
  root.querySelector("[data-eb-save]").addEventListener("click", save);
  root.querySelector("[data-eb-publish]").addEventListener("click", function () {
    save().then(function (ok) { if (ok) root.querySelector("[data-eb-publish-form]").submit(); });
  });
  root.querySelector("[data-eb-add-section]").addEventListener("click", function () {
    doc.sections.push({ title: "", help_text: "", condition: null, fields: [] });
    changed(); renderAll();
    var titles = root.querySelectorAll("[data-eb-section-title]");
    titles[titles.length - 1].focus();
  });
  var copySelect = root.querySelector("[data-eb-copy-source]");
  cfg.sources.forEach(function (s) { copySelect.appendChild(el("option", { value: s.id, text: s.label })); });
  root.querySelector("[data-eb-copy]").addEventListener("click", function () {
    if (!copySelect.value) return;
    if (allFields().length && !window.confirm(T.confirmCopy)) return;
    fetch(cfg.urls.document.replace("/0/", "/" + copySelect.value + "/"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (source) {
        doc.sections = source.sections;
        open = null; changed(); renderAll(); announce(T.copied);
      });
  });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  errorsBox.tabIndex = -1;
  if (!doc.sections.length) doc.sections.push({ title: "", help_text: "", condition: null, fields: [] });
  renderAll();
  preview();
})();
