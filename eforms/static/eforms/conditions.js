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
  function update(form) {
    form.querySelectorAll("[data-eform-show-if]").forEach(function (box) {
      var given = valuesOf(form, box.dataset.eformShowIf);
      var wanted = (box.dataset.eformValues || "").split("|");
      var show = box.dataset.eformOperator === "filled" ? given.length > 0
        : given.some(function (v) { return wanted.indexOf(v) !== -1; });
      box.hidden = !show;
      var note = box.querySelector(".eform-condition-note");
      if (note) note.hidden = true;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.eform").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
  });
})();
