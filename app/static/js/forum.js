/* The forum composer's preview: the server renders the text through the same sanitiser as a
   saved post (a CSRF-protected POST) and the answer is shown as it will look. Without this
   script the button stays hidden and posting works as before. */
(function () {
  "use strict";
  var button = document.getElementById("show-preview");
  if (!button || !window.fetch) { return; }
  var box = document.getElementById(button.getAttribute("data-preview-for"));
  var section = document.getElementById("preview");
  var target = document.getElementById("preview-body");
  var form = button.closest("form");
  var tokenField = form ? form.querySelector("input[name=csrf_token]") : null;
  if (!box || !section || !target) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var data = new FormData();
    data.append("body", box.value);
    fetch(button.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenField ? tokenField.value : "", "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      // The server's sanitised HTML (app/markup.py), the same as a saved post's.
      target.innerHTML = answer.html || "<p>Nothing to preview yet.</p>";
      section.hidden = false;
    }).catch(function () { /* the preview is optional */ });
  });
}());
