/* Submit-a-request form: suggest help articles as the subject is typed (deflection), and log
   whether a suggestion was clicked or the person left. Works without this script too. */
(function () {
  "use strict";
  /* Deadlines: the server writes "(due in 1 h 20 min)" from its clock; this keeps the words
     fresh while the page stays open, with the same wording as app/tickets/timeline.py. */
  function words(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) { return "less than a minute"; }
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) { return days + " d" + (hours ? " " + hours + " h" : ""); }
    if (hours) { return hours + " h" + (minutes ? " " + minutes + " min" : ""); }
    return minutes + " min";
  }
  function refreshCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-countdown"));
      if (isNaN(due)) { return; }
      var left = due - now;
      var text = left > 0 ? "due in " + words(left)
        : (left > -60000 ? "breached just now" : "breached " + words(left) + " ago");
      node.textContent = "(" + text + ")";
      node.classList.toggle("ticket-breached", left <= 0);
    });
  }
  if (document.querySelector("[data-countdown]")) { setInterval(refreshCountdowns, 30000); }
})();

(function () {
  "use strict";
  /* Saved responses go in at the cursor (replacing a selection), keeping what the agent
     typed. Without this script the form reloads the page with the response filled in. */
  var form = document.getElementById("template-form");
  if (!form) { return; }
  var box = document.getElementById(form.getAttribute("data-target"));
  var select = form.querySelector("select");
  if (!box || !select) { return; }
  form.addEventListener("submit", function (event) {
    var option = select.options[select.selectedIndex];
    var text = option ? option.getAttribute("data-text") : null;
    if (text === null) { return; }
    event.preventDefault();
    var start = box.selectionStart, end = box.selectionEnd;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    // Keep the response its own paragraph when it lands against other words.
    if (before && !/\s$/.test(before)) { text = "\n" + text; }
    if (after && !/^\s/.test(after)) { text = text + "\n"; }
    box.focus();
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();

(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  if (!form) { return; }
  var subject = document.getElementById("subject");
  var box = document.getElementById("suggestions");
  var list = document.getElementById("suggestion-list");
  var suggestUrl = form.getAttribute("data-suggest-url");
  var deflectionUrl = form.getAttribute("data-deflection-url");
  var tokenField = form.querySelector("input[name=csrf_token]");
  var token = tokenField ? tokenField.value : "";
  var timer = null;
  var lastQuery = "";
  var shown = false;
  var submitted = false;
  var disabled = false;

  function log(outcome, url) {
    if (!deflectionUrl || !lastQuery) { return; }
    var body = JSON.stringify({ query: lastQuery, article_url: url || "", outcome: outcome });
    fetch(deflectionUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body,
      credentials: "same-origin",
      keepalive: true
    }).catch(function () { /* logging must never get in the way */ });
  }

  function show(results) {
    list.textContent = "";
    results.slice(0, 5).forEach(function (item) {
      if (!item || !item.url || item.url.charAt(0) !== "/" || item.url.charAt(1) === "/") { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title || item.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.addEventListener("click", function () { log("clicked", item.url); });
      li.appendChild(a);
      list.appendChild(li);
    });
    shown = list.children.length > 0;
    box.hidden = !shown;
  }

  function search() {
    var query = subject.value.trim();
    if (disabled || query.length < 3 || query === lastQuery) { return; }
    lastQuery = query;
    fetch(suggestUrl + "?log=0&q=" + encodeURIComponent(query), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      // The search endpoint may not exist yet: stop asking and keep the form as it is.
      if (response.status === 404) { disabled = true; return null; }
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      show(data.results || data.hits || data.items || []);
    }).catch(function () { box.hidden = true; });
  }

  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 350);
  });
  form.addEventListener("submit", function () { submitted = true; });
  window.addEventListener("pagehide", function () {
    if (shown && !submitted) { log("left", ""); }
  });
})();
