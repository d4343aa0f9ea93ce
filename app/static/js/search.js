// Search page: changing a filter or the sort order searches again (no need to find the button).
// Progressive enhancement only; without JavaScript the Search button does the same.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  ["search-type", "search-category", "search-sort"].forEach(function (id) {
    var select = document.getElementById(id);
    if (select) {
      select.addEventListener("change", function () {
        if (document.getElementById("search-q").value.trim()) { form.requestSubmit(); }
      });
    }
  });
}());
