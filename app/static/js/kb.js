// Knowledge base enhancements (the video player's are in video.js). Everything works without this file; it adds:
// - "open all / close all" for FAQ answers,
// - a live preview in the article editor (the Preview button posts the form without it).
(function () {
  "use strict";

  function setupFaq() {
    var tools = document.querySelector(".kb-faq-tools");
    if (!tools) { return; }
    tools.hidden = false;
    function toggleAll(open) {
      document.querySelectorAll(".kb-faq-item").forEach(function (item) { item.open = open; });
    }
    document.getElementById("faq-expand-all").addEventListener("click", function () { toggleAll(true); });
    document.getElementById("faq-collapse-all").addEventListener("click", function () { toggleAll(false); });
    // Opening a question from a link (#q-3) opens its answer.
    if (location.hash && location.hash.indexOf("#q-") === 0) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) { target.open = true; }
    }
  }

  function setupPreview() {
    var form = document.getElementById("edit-form");
    var button = document.getElementById("preview-button");
    if (!form || !button || !window.fetch) { return; }
    var region = document.getElementById("preview-region");
    var output = document.getElementById("preview-body");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var token = form.querySelector("input[name=csrf_token]");
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token.value } : {}
      }).then(function (response) {
        if (!response.ok) { throw new Error("preview failed"); }
        return response.json();
      }).then(function (json) {
        // The server sanitised this HTML with the site's one sanitiser (app/markup.py).
        output.innerHTML = json.html;
        region.hidden = false;
      }).catch(function () {
        form.requestSubmit(button);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupFaq();
    setupPreview();
  });
})();
