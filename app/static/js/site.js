// Every page: the header menu on phones, the user menu, and focus after a failed form.
// Progressive enhancement only: without JavaScript the header links stay open and forms work.
(function () {
  "use strict";

  // Phones: the header's links fold behind a "Menu" disclosure button.
  var header = document.getElementById("site-header");
  var toggle = document.getElementById("nav-toggle");
  var narrow = window.matchMedia("(max-width: 48rem)");
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("nav-closed", !open);
  }
  if (header && toggle) {
    toggle.hidden = false;
    setOpen(!narrow.matches);
    narrow.addEventListener("change", function () { setOpen(!narrow.matches); });
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // The user menu (details/summary) closes on Escape and when clicking elsewhere.
  var menu = document.getElementById("user-menu");
  if (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        event.stopPropagation(); // the innermost disclosure first, not the whole phone menu
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  }

  // After a failed submission: say so in the title and move focus to the error summary, so
  // keyboard and screen reader users start where the problem is.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (document.title.indexOf("Error: ") !== 0) { document.title = "Error: " + document.title; }
    summary.focus();
  }
}());
