// The video tutorial player. Without this file the page still plays the video with the
// browser's own controls, and the transcript, chapters and external link are plain content.
// It adds: chapter and transcript buttons that seek, a captions button, the transcript line
// being spoken marked (aria-current), "#t=95" links starting at that moment, and external
// videos loaded only after the reader asks for them.
(function () {
  "use strict";

  function seekTo(video, seconds, play) {
    video.currentTime = seconds;
    if (play) {
      var playing = video.play();
      if (playing && playing.catch) { playing.catch(function () { /* blocked or no file */ }); }
    }
  }

  function momentFromHash() {
    var match = /(?:^#|&)t=(\d+(?:\.\d+)?)/.exec(window.location.hash);
    return match ? parseFloat(match[1]) : null;
  }

  function setupSeeking(video) {
    document.querySelectorAll(".kb-seek").forEach(function (button) {
      button.addEventListener("click", function () {
        var start = parseFloat(button.getAttribute("data-start"));
        if (isNaN(start)) { return; }
        seekTo(video, start, true);
        video.focus();
      });
    });
    function fromHash() {
      var moment = momentFromHash();
      if (moment === null) { return; }
      // Seeking needs the metadata (preload="metadata" loads it without the whole file).
      if (video.readyState >= 1) { seekTo(video, moment, false); }
      else { video.addEventListener("loadedmetadata", function () { seekTo(video, moment, false); }, { once: true }); }
    }
    fromHash();
    window.addEventListener("hashchange", fromHash);
  }

  function setupCaptions(video) {
    var button = document.getElementById("captions-toggle");
    var track = null;
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].kind === "captions") { track = video.textTracks[i]; }
    }
    if (!button || !track) { return; }
    function show() {
      var on = track.mode === "showing";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Hide captions" : "Show captions";
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      track.mode = track.mode === "showing" ? "disabled" : "showing";
      show();
    });
    // The browser's own captions menu changes the same track.
    video.textTracks.addEventListener("change", show);
    show();
  }

  function setupTranscript(video) {
    var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript-lines li[data-start]"));
    if (!lines.length) { return; }
    var current = null;
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      var found = null;
      for (var i = 0; i < lines.length; i++) {
        if (parseFloat(lines[i].getAttribute("data-start")) <= now + 0.05) { found = lines[i]; } else { break; }
      }
      if (found === current) { return; }
      if (current) { current.removeAttribute("aria-current"); }
      current = found;
      if (current) {
        current.setAttribute("aria-current", "true");
        var box = current.closest(".kb-transcript-scroll");
        if (box && !box.contains(document.activeElement)) {
          // Scroll the transcript box only, never the page under the reader.
          box.scrollTop = current.offsetTop - box.offsetTop - box.clientHeight / 3;
        }
      }
    });
  }

  function setupEmbed() {
    var holder = document.getElementById("kb-embed");
    var button = document.getElementById("embed-load");
    if (!holder || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = holder.getAttribute("data-embed-url");
      frame.title = holder.getAttribute("data-embed-title");
      frame.allowFullscreen = true;
      frame.id = "embed-frame";
      holder.replaceChildren(frame);
      frame.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupEmbed();
    var video = document.getElementById("kb-video");
    if (!video) { return; }
    setupSeeking(video);
    setupCaptions(video);
    setupTranscript(video);
  });
})();
