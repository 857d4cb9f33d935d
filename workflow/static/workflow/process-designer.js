/*
 * The process designer's live summary (workflow/templates/workflow/admin/includes/process_designer.html).
 *
 * Sums the steps' allowances in working hours and compares them with the chosen procedure's processing time
 * (a warning when over), lists the steps in their order, writes each step's name and hours in its heading, and
 * says where a step went when it is moved with its ↑ ↓ buttons or dragged (keeping the focus on the button
 * pressed). Wagtail's InlinePanel does the moving itself; this file only reads the form. The rules are the
 * server's (workflow/processes/services.py, process_review): this is a preview of one of them.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  /* Hours as Vietnamese write them: a comma as decimal mark, at most two decimals, no trailing zeros. */
  function hoursText(minutes) {
    var hours = Math.round(minutes / 60 * 100) / 100;
    return String(hours).replace(".", ",");
  }

  function hoursOf(input) {
    if (!input) {
      return 0;
    }
    var value = parseFloat(String(input.value || "").replace(",", "."));
    return isNaN(value) || value < 0 ? 0 : value;
  }

  ready(function () {
    var summary = document.querySelector("[data-process-designer]");
    var container = document.getElementById("id_steps-FORMS");
    if (!summary || !container) {
      return;
    }
    var texts = summary.dataset;
    var minutesNode = document.getElementById("process-designer-minutes");
    var minutesByProcedure = minutesNode ? JSON.parse(minutesNode.textContent) : {};
    var procedure = document.getElementById("id_procedure");
    var figures = summary.querySelector("[data-designer-figures]");
    var verdict = summary.querySelector("[data-designer-verdict]");
    var overview = summary.querySelector("[data-designer-overview]");
    var announce = summary.querySelector("[data-designer-announce]");
    summary.hidden = false;

    function children() {
      return Array.prototype.filter.call(container.children, function (child) {
        return child.hasAttribute("data-inline-panel-child") && !child.classList.contains("deleted");
      });
    }

    function field(child, name) {
      return child.querySelector("[name$='-" + name + "']");
    }

    function stepName(child) {
      var input = field(child, "name");
      return (input && input.value.trim()) || texts.textUnnamed;
    }

    function headingOf(child) {
      var count = child.querySelector("[data-inline-panel-child-count]");
      if (!count) {
        return null;
      }
      var title = count.parentNode.querySelector("[data-designer-step-title]");
      if (!title) {
        title = document.createElement("span");
        title.setAttribute("data-designer-step-title", "");
        title.className = "process-designer-step-title";
        count.parentNode.insertBefore(title, count.nextSibling);
      }
      return title;
    }

    // The agency field matters for a hand-off step only: shown for one (or when it holds a value to correct).
    function showAgency(child) {
      var kind = field(child, "kind");
      var agency = field(child, "agency");
      var wrapper = agency && agency.closest(".process-step-agency");
      if (kind && wrapper) {
        wrapper.hidden = kind.value !== "handoff" && !agency.value;
      }
    }

    function update() {
      var steps = children();
      var totalMinutes = 0;
      overview.textContent = "";
      steps.forEach(function (child) {
        var minutes = Math.round(hoursOf(field(child, "allowance_hours")) * 60);
        totalMinutes += minutes;
        var hours = fill(texts.textHours, { hours: hoursText(minutes) });
        var item = document.createElement("li");
        item.textContent = stepName(child) + " · " + hours;
        overview.appendChild(item);
        showAgency(child);
        var title = headingOf(child);
        if (title) {
          title.textContent = " — " + stepName(child) + " · " + hours;
        }
      });
      var expected = procedure ? minutesByProcedure[procedure.value] : undefined;
      summary.classList.remove("is-over", "is-under", "is-equal");
      if (expected === undefined) {
        figures.textContent = fill(texts.textStepsOnly, { steps: hoursText(totalMinutes) });
        verdict.textContent = texts.textNoProcedure;
        return;
      }
      figures.textContent = fill(texts.textTotal, { steps: hoursText(totalMinutes), expected: hoursText(expected) });
      if (totalMinutes > expected) {
        summary.classList.add("is-over");
        verdict.textContent = fill(texts.textOver, { diff: hoursText(totalMinutes - expected) });
      } else if (totalMinutes < expected) {
        summary.classList.add("is-under");
        verdict.textContent = fill(texts.textUnder, { diff: hoursText(expected - totalMinutes) });
      } else {
        summary.classList.add("is-equal");
        verdict.textContent = texts.textEqual;
      }
    }

    function say(child) {
      var steps = children();
      var position = steps.indexOf(child) + 1;
      if (position > 0) {
        announce.textContent = fill(texts.textMoved, {
          name: stepName(child),
          position: position,
          count: steps.length,
        });
      }
    }

    // The ↑ ↓ buttons: Wagtail moves the step (the node leaves the page and comes back, losing the focus);
    // put the focus back on the button pressed, or on the other one once the step is first or last.
    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-inline-panel-child-move-up], [data-inline-panel-child-move-down]");
      if (!button) {
        return;
      }
      var child = button.closest("[data-inline-panel-child]");
      window.setTimeout(function () {
        update();
        var up = button.hasAttribute("data-inline-panel-child-move-up");
        var other = child.querySelector(
          up ? "[data-inline-panel-child-move-down]" : "[data-inline-panel-child-move-up]"
        );
        (button.disabled && other ? other : button).focus();
        say(child);
      }, 0);
    });

    // Dragging (Sortable, by the handle), adding and deleting a step change the list of children.
    var dragged = null;
    container.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest("[data-inline-panel-child-drag]");
      dragged = handle ? handle.closest("[data-inline-panel-child]") : null;
    });
    new MutationObserver(function () {
      update();
      if (dragged) {
        say(dragged);
        dragged = null;
      }
    }).observe(container, { childList: true });
    container.addEventListener("w-formset:removed", update);
    document.addEventListener("w-formset:added", update);
    container.addEventListener("input", update);
    container.addEventListener("change", update);
    if (procedure) {
      procedure.addEventListener("change", update);
    }
    update();
  });
})();
