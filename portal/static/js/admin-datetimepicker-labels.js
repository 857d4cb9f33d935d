// Names for the admin date-time picker's icon buttons (Wagtail's vendored jQuery datetimepicker draws them
// empty, so a screen reader announced "button" and axe-core reported button-name as critical).
(function () {
  "use strict";
  var script = document.currentScript;
  var labels = JSON.parse((script && script.dataset.labels) || "{}");
  var selectors = {
    ".xdsoft_datepicker .xdsoft_prev": labels.previousMonth,
    ".xdsoft_datepicker .xdsoft_next": labels.nextMonth,
    ".xdsoft_datepicker .xdsoft_today_button": labels.today,
    ".xdsoft_timepicker .xdsoft_prev": labels.earlierTimes,
    ".xdsoft_timepicker .xdsoft_next": labels.laterTimes,
  };

  function name(root) {
    Object.keys(selectors).forEach(function (selector) {
      root.querySelectorAll(selector).forEach(function (button) {
        if (selectors[selector] && !button.getAttribute("aria-label")) {
          button.setAttribute("aria-label", selectors[selector]);
          button.setAttribute("title", selectors[selector]);
        }
      });
    });
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.classList.contains("xdsoft_datetimepicker")) {
          name(node);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.querySelectorAll(".xdsoft_datetimepicker").forEach(name);
})();
