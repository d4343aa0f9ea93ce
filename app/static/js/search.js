// Search page: changing a filter or the sort order searches again (no need to find the button).
// Progressive enhancement only; without JavaScript the Search button does the same.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  // Phones: fold the filters away unless one is set, so the results start above the fold.
  var filters = document.getElementById("search-filters-toggle");
  var active = ["search-type", "search-category"].some(function (id) {
    var select = document.getElementById(id);
    return select && select.value;
  }) || (document.getElementById("search-sort") || {}).value === "date";
  if (filters && !active && window.matchMedia("(max-width: 48rem)").matches) {
    filters.open = false;
  }
  ["search-type", "search-category", "search-sort"].forEach(function (id) {
    var select = document.getElementById(id);
    if (select) {
      select.addEventListener("change", function () {
        if (document.getElementById("search-q").value.trim()) { form.requestSubmit(); }
      });
    }
  });
}());
