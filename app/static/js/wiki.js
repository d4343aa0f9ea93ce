// Live preview for the wiki editor: posts the text (with the form's CSRF token) to the
// preview endpoint, which returns HTML already sanitised by the server, after a pause in typing.
// Without JavaScript, the form's "Preview" button does the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("wiki-edit-form");
  var target = document.getElementById("wiki-preview");
  if (!form || !target || !window.fetch) return;
  var body = form.querySelector("textarea[name='body']");
  var token = form.querySelector("input[name='csrf_token']");
  var url = target.getAttribute("data-preview-url");
  if (!body || !url) return;
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    if (token) data.append("csrf_token", token.value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, text: text };
        });
      })
      .then(function (result) {
        if (request !== latest) return; // an older answer arriving late
        if (result.ok) {
          target.innerHTML = result.text; // sanitised by app.markup on the server
        } else {
          target.textContent = "The preview is not available right now.";
        }
      })
      .catch(function () {
        if (request === latest) target.textContent = "The preview is not available right now.";
      });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
