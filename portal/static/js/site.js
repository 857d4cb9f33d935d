/* Public site: the menu button of narrow screens and the maintenance notice's details.
   Without JavaScript the menu stays open under the brand (site.css), which is the accessible fallback. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var wide = window.matchMedia("(min-width: 48em)");

  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (button && menu) {
      var setOpen = function (open) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("open", open);
      };
      button.addEventListener("click", function () {
        setOpen(button.getAttribute("aria-expanded") !== "true");
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !wide.matches) {
          setOpen(false);
          button.focus();
        }
      });
    }
    // The notice's explanation is open where there is room for it.
    var notices = document.querySelectorAll(".notice-details");
    var follow = function () {
      for (var i = 0; i < notices.length; i++) notices[i].open = wide.matches;
    };
    follow();
    if (wide.addEventListener) wide.addEventListener("change", follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
