// Progressive enhancement: hide questions whose condition (on the same page) is not met.
// The server decides on its own; without JavaScript every question shows with a note.
(function () {
  "use strict";
  function valuesOf(form, name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push(o.value); });
      } else if (el.value !== "") { out.push(el.value); }
    });
    return out;
  }
  // Numbers (a comma as the decimal mark too) or ISO dates, as the server compares them.
  function compares(value, op, bound) {
    var iso = /^\d{4}-\d{2}-\d{2}$/;
    var left, right;
    if (iso.test(value) && iso.test(bound)) { left = value; right = bound; }
    else {
      var raw = String(value).replace(/\s/g, "");
      raw = raw.indexOf(",") !== -1 && raw.indexOf(".") !== -1 ? raw.replace(/\./g, "").replace(",", ".")
        : raw.replace(",", ".");
      left = Number(raw);
      right = Number(bound);
      if (raw === "" || isNaN(left) || isNaN(right)) return false;
    }
    return op === "gte" ? left >= right : left <= right;
  }
  function update(form) {
    form.querySelectorAll("[data-eform-show-if]").forEach(function (box) {
      var given = valuesOf(form, box.dataset.eformShowIf);
      var wanted = (box.dataset.eformValues || "").split("|");
      var op = box.dataset.eformOperator;
      var show = op === "filled" ? given.length > 0
        : (op === "gte" || op === "lte") ? given.some(function (v) { return compares(v, op, wanted[0]); })
        : given.some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !show;
      var note = box.querySelector(".eform-condition-note");
      if (note) note.hidden = true;
    });
  }
  function bind(form) {
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  }
  // The builder's live preview binds each preview it inserts.
  window.EformConditions = { bind: bind };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.eform").forEach(bind);
  });
})();
