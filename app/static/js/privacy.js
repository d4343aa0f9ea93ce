// Account page: while the data export is being built, poll its progress and show it;
// reload once it is done (or failed) so the page shows the result. No polling otherwise.
(function () {
  "use strict";
  var status = document.getElementById("export-status");
  if (!status || ["approved", "running"].indexOf(status.dataset.status) === -1) {
    return;
  }
  var words = document.getElementById("export-status-words");
  var bar = document.getElementById("export-progress");
  function poll() {
    fetch(status.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (words) { words.textContent = data.words; }
        if (bar && data.total) { bar.max = data.total; bar.value = data.done; bar.textContent = data.done + " of " + data.total; }
        if (data.status === "approved" || data.status === "running") {
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
