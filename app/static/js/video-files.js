// The staff video page: while a file is queued or processing, ask for its state every two
// seconds and show it (without this file, reloading the page shows the same).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("video-files");
    if (!section) { return; }
    function busy() {
      return Array.prototype.some.call(section.querySelectorAll(".video-file-state"), function (el) {
        return /^(queued|processing)/.test(el.textContent.trim());
      });
    }
    function poll() {
      if (!busy()) { return; }
      fetch(section.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          data.files.forEach(function (file) {
            var el = section.querySelector('.video-file-state[data-file="' + file.id + '"]');
            if (!el) { return; }
            el.textContent = file.status === "processing" ? "processing, " + file.progress + " %"
              : file.status === "failed" ? "refused: " + file.error : file.status;
          });
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 2000);
  });
})();
