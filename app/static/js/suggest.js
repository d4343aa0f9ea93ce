/* Instant suggestions under a search box as the person types (like the request form's): the
   best matching pages as links, from the search's JSON endpoint with log=0 (suggestions are
   not searches someone made). Usage: <input data-suggest-url="/search/results.json"
   data-suggest-list="id of an empty <ul>"> inside an element with data-suggest-box.
   Progressive enhancement: without this script the form simply searches. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest-url]"), function (input) {
    var list = document.getElementById(input.getAttribute("data-suggest-list"));
    var box = list && list.closest("[data-suggest-box]");
    var status = document.getElementById(input.getAttribute("data-suggest-status"));
    var url = input.getAttribute("data-suggest-url");
    if (!list || !box || !window.fetch) { return; }
    var timer = null;
    var lastQuery = "";
    var latest = 0;

    function show(results) {
      list.textContent = "";
      results.slice(0, 5).forEach(function (item) {
        // Only pages of this site (a path), never another origin or scheme.
        if (!item || !item.url || item.url.charAt(0) !== "/" || item.url.charAt(1) === "/") { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title || item.url;
        li.appendChild(a);
        if (item.section) {
          var meta = document.createElement("span");
          meta.className = "suggest-meta";
          meta.textContent = " · " + item.section;
          li.appendChild(meta);
        }
        list.appendChild(li);
      });
      box.hidden = list.children.length === 0;
      // One short announcement, not the whole list at every pause in typing.
      if (status) {
        var count = list.children.length;
        status.textContent = count ? count + (count === 1 ? " suggestion" : " suggestions") +
          " below the search box." : "";
      }
    }

    function suggest() {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 3) { show([]); return; }
      var request = ++latest;
      var joiner = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + joiner + "log=0&per_page=5&q=" + encodeURIComponent(query), {
        headers: {"Accept": "application/json"}, credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (request !== latest) { return; } // an older answer arriving late
        show(data ? data.results || [] : []);
      }).catch(function () { box.hidden = true; });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 250);
    });
    input.addEventListener("keydown", function (event) {
      // Down arrow moves into the suggestions; Esc closes them.
      if (event.key === "ArrowDown" && !box.hidden && list.firstElementChild) {
        event.preventDefault();
        list.firstElementChild.querySelector("a").focus();
      } else if (event.key === "Escape") {
        box.hidden = true;
      }
    });
  });
}());
