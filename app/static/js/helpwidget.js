/*
 * GrowgrEbuddy help widget: in-app tooltips and onboarding tours from the Help Center API.
 * No framework, no CDN, no inline script. Usage:
 *
 *   HelpWidget.init({baseUrl: "/api/v1", lang: "en", token: optionalBearerToken});
 *   HelpWidget.startTour("first-run");
 *   HelpWidget.refreshStatus();   // re-read the incident banner into [data-help-status]
 *   HelpWidget.checkSurveys();  // with a token: shows the quarterly survey if one is open
 *
 * or load this file with data-auto-init (and data-base-url, data-lang) on its <script> tag.
 * Elements with data-help="<snippet key>" get a help button that shows the snippet as a
 * tooltip (role="tooltip", aria-describedby, shown on focus and hover, Esc closes).
 * Elements with data-help-tour="<tour name>" start that tour when activated.
 * A button with data-help-chat="<chat base URL>" and data-help-chat-panel="<element id>" opens
 * live chat (chat.js, loaded on the page) in that panel; its label says whether chat is open.
 */
(function (global) {
  "use strict";

  var options = {baseUrl: "/api/v1", lang: "en", token: null};
  var snippets = {};
  var counter = 0;
  var openTip = null;
  var tour = null;

  function headers(extra) {
    var result = {Accept: "application/json"};
    if (options.token) { result.Authorization = "Bearer " + options.token; }
    Object.keys(extra || {}).forEach(function (name) { result[name] = extra[name]; });
    return result;
  }

  function getJson(path) {
    return fetch(options.baseUrl + path, {headers: headers(), credentials: "omit"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  /* An anonymous id for this installation, so tour progress can be counted without sign-in. */
  function installId() {
    var key = "helpwidget.installId";
    try {
      var id = global.localStorage.getItem(key);
      if (!id) {
        id = "web-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
        global.localStorage.setItem(key, id);
      }
      return id;
    } catch (error) {
      return "web-ephemeral-" + Math.random().toString(36).slice(2, 12);
    }
  }

  function announce(text) {
    var status = document.getElementById("helpwidget-status");
    if (status) { status.textContent = text; }
  }

  /* ---- tooltips ------------------------------------------------------------------------ */

  function place(box, target, placement) {
    var rect = target.getBoundingClientRect();
    var boxRect = box.getBoundingClientRect();
    var gap = 8;
    var top;
    var left;
    if (placement === "top") {
      top = rect.top - boxRect.height - gap; left = rect.left;
    } else if (placement === "left") {
      top = rect.top; left = rect.left - boxRect.width - gap;
    } else if (placement === "right") {
      top = rect.top; left = rect.right + gap;
    } else {
      top = rect.bottom + gap; left = rect.left;
    }
    // Keep it on screen; positions go through the CSSOM, which the CSP allows.
    left = Math.max(8, Math.min(left, global.innerWidth - boxRect.width - 8));
    top = Math.max(8, top);
    // Relative to the box's positioned ancestor, if any (the page otherwise).
    var origin = box.offsetParent;
    var base = origin && origin !== document.body && origin !== document.documentElement ?
      origin.getBoundingClientRect() : {top: -global.scrollY, left: -global.scrollX};
    box.style.top = (top - base.top) + "px";
    box.style.left = (left - base.left) + "px";
  }

  /* Hiding waits this long after the pointer leaves, so it can cross the gap to the tooltip
     and rest on it (WCAG 1.4.13: content on hover stays while hovered). */
  var HIDE_DELAY_MS = 300;

  function cancelHide(entry) {
    if (entry.hideTimer) { global.clearTimeout(entry.hideTimer); entry.hideTimer = null; }
  }

  function hideTip() {
    if (!openTip) { return; }
    var entry = openTip;
    cancelHide(entry);
    entry.pinned = false;
    entry.tip.hidden = true;
    entry.button.setAttribute("aria-expanded", "false");
    openTip = null;
  }

  function showTip(entry) {
    cancelHide(entry);
    if (openTip === entry) { return; }
    if (openTip) { hideTip(); }
    entry.tip.hidden = false;
    entry.button.setAttribute("aria-expanded", "true");
    place(entry.tip, entry.button, "bottom");
    openTip = entry;
  }

  /* Hide unless something still holds the tooltip open: focus, the pointer, or a click. */
  function settle(entry, delay) {
    cancelHide(entry);
    if (openTip !== entry || entry.hover || entry.pinned ||
        document.activeElement === entry.button) { return; }
    if (!delay) { hideTip(); return; }
    entry.hideTimer = global.setTimeout(function () {
      entry.hideTimer = null;
      settle(entry, 0);
    }, delay);
  }

  function fillTip(tip, snippet) {
    tip.textContent = "";
    var title = document.createElement("strong");
    title.className = "helpwidget-tip-title";
    title.textContent = snippet.title;
    var body = document.createElement("div");
    body.className = "helpwidget-tip-body";
    // body_html is sanitised by the Help Center (app/markup.py) before it is stored.
    body.innerHTML = snippet.body_html;
    tip.appendChild(title);
    tip.appendChild(body);
    if (snippet.article && snippet.article.url) {
      var more = document.createElement("p");
      more.className = "helpwidget-tip-more";
      var url = String(snippet.article.url);
      if (/^(https?:\/\/|\/)/i.test(url)) {
        // A real link (never a javascript: or other scheme), named by the article it opens.
        var link = document.createElement("a");
        link.href = url;
        link.textContent = "More in the Help Center" +
          (snippet.article.title ? ": " + snippet.article.title : "");
        more.appendChild(link);
      } else {
        more.textContent = "More in the Help Center";
      }
      tip.appendChild(more);
    }
  }

  function attachTip(element, snippet) {
    if (element.getAttribute("data-help-ready")) { return; }
    element.setAttribute("data-help-ready", "1");
    counter += 1;
    var tipId = "helpwidget-tip-" + counter;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "helpwidget-button";
    button.textContent = "?";
    button.setAttribute("aria-label", "Help: " + snippet.title);
    button.setAttribute("aria-describedby", tipId);
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("data-help-key", snippet.key);
    var tip = document.createElement("div");
    tip.id = tipId;
    tip.className = "helpwidget-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    fillTip(tip, snippet);
    var entry = {button: button, tip: tip, hover: false, pinned: false, hideTimer: null};
    var enter = function () { entry.hover = true; showTip(entry); };
    var leave = function () { entry.hover = false; settle(entry, HIDE_DELAY_MS); };
    button.addEventListener("focus", function () { showTip(entry); });
    button.addEventListener("blur", function () { entry.pinned = false; settle(entry, 0); });
    button.addEventListener("mouseenter", enter);
    button.addEventListener("mouseleave", leave);
    tip.addEventListener("mouseenter", enter);
    tip.addEventListener("mouseleave", leave);
    // A click or tap shows it and keeps it (a tap also focuses; focus alone must not toggle it
    // off again). Esc, or a click elsewhere, closes it.
    button.addEventListener("click", function () { entry.pinned = true; showTip(entry); });
    // An empty <span data-help> is a placeholder: the button goes inside it; otherwise after.
    if (element.tagName === "SPAN" && !element.textContent.trim()) {
      element.appendChild(button);
    } else {
      element.insertAdjacentElement("afterend", button);
    }
    // Inside the landmark of the element it explains (so it is never content outside every
    // landmark), else in the page's main landmark.
    var landmark = button.closest("main, header, footer, nav, aside, [role=main], [role=region]," +
      " [role=dialog], [role=complementary]") || document.querySelector("main") || document.body;
    landmark.appendChild(tip);
  }

  function loadTooltips(root) {
    var elements = Array.prototype.slice.call((root || document).querySelectorAll("[data-help]"));
    var keys = [];
    elements.forEach(function (element) {
      var key = element.getAttribute("data-help");
      if (key && keys.indexOf(key) === -1) { keys.push(key); }
    });
    if (!keys.length) { return Promise.resolve({}); }
    var query = "/snippets?keys=" + encodeURIComponent(keys.join(",")) +
      "&lang=" + encodeURIComponent(options.lang);
    return getJson(query).then(function (data) {
      snippets = data.snippets || {};
      elements.forEach(function (element) {
        var snippet = snippets[element.getAttribute("data-help")];
        if (snippet) { attachTip(element, snippet); }
      });
      return snippets;
    }).catch(function () {
      announce("Help tips could not be loaded.");
      return {};
    });
  }

  /* ---- tours --------------------------------------------------------------------------- */

  /* Progress reports go one after another, so the server sees them in the order they happened
     (a quick "Done" must not overtake the "reached" of the last step). */
  var reports = Promise.resolve();

  function report(name, stepId, event) {
    var extra = {"Content-Type": "application/json"};
    if (!options.token) { extra["X-Install-Id"] = installId(); }
    var send = function () {
      return fetch(options.baseUrl + "/tours/" + encodeURIComponent(name) + "/progress", {
        method: "POST",
        headers: headers(extra),
        credentials: "omit",
        body: JSON.stringify({step: stepId, event: event})
      }).then(function (response) {
        // Read the (small) answer: an unread body keeps the response, and its connection, open.
        return response.text();
      }).catch(function () { /* progress is best effort: never block the tour on it */ });
    };
    reports = reports.then(send, send);
    return reports;
  }

  function button(label, id, handler) {
    var element = document.createElement("button");
    element.type = "button";
    element.id = id;
    element.textContent = label;
    element.addEventListener("click", handler);
    return element;
  }

  function unhighlight() {
    var previous = document.querySelector(".helpwidget-highlight");
    if (previous) { previous.classList.remove("helpwidget-highlight"); }
  }

  function endTour(event) {
    if (!tour) { return; }
    var step = tour.data.steps[tour.index];
    report(tour.data.name, step.id, event);
    unhighlight();
    tour.dialog.remove();
    var returnTo = tour.returnTo;
    tour = null;
    announce(event === "completed" ? "Tour finished." : "Tour closed.");
    if (returnTo && returnTo.focus) { returnTo.focus(); }
  }

  function showStep(index) {
    var steps = tour.data.steps;
    tour.index = index;
    var step = steps[index];
    var dialog = tour.dialog;
    dialog.textContent = "";
    var heading = document.createElement("h2");
    heading.id = "helpwidget-tour-title";
    heading.className = "helpwidget-tour-title";
    heading.textContent = step.title;
    var counterText = document.createElement("p");
    counterText.className = "helpwidget-tour-count";
    counterText.textContent = "Step " + (index + 1) + " of " + steps.length;
    var body = document.createElement("p");
    body.id = "helpwidget-tour-body";
    body.textContent = step.body;
    var actions = document.createElement("div");
    actions.className = "helpwidget-tour-actions";
    if (index > 0) {
      actions.appendChild(button("Back", "helpwidget-tour-back", function () { showStep(index - 1); }));
    }
    if (index < steps.length - 1) {
      actions.appendChild(button("Next", "helpwidget-tour-next", function () { showStep(index + 1); }));
      actions.appendChild(button("Skip tour", "helpwidget-tour-skip", function () { endTour("dismissed"); }));
    } else {
      actions.appendChild(button("Done", "helpwidget-tour-done", function () { endTour("completed"); }));
    }
    dialog.appendChild(heading);
    dialog.appendChild(counterText);
    dialog.appendChild(body);
    dialog.appendChild(actions);
    unhighlight();
    var target = document.getElementById(step.target);
    if (target) {
      target.classList.add("helpwidget-highlight");
      if (target.scrollIntoView) { target.scrollIntoView({block: "center"}); }
      dialog.setAttribute("data-placement", step.placement);
      place(dialog, target, step.placement);
    } else {
      // Centred by the style sheet: drop the position of a previous step.
      dialog.style.top = "";
      dialog.style.left = "";
      dialog.setAttribute("data-placement", "center");
    }
    report(tour.data.name, step.id, "reached");
    var primary = actions.querySelector("#helpwidget-tour-next, #helpwidget-tour-done");
    if (primary) { primary.focus(); }
  }

  var loadingTour = null;

  function startTour(name) {
    // A second click while the tour loads must not open a second dialog.
    if (loadingTour) { return loadingTour; }
    if (tour) { endTour("dismissed"); }
    var returnTo = document.activeElement;
    loadingTour = getJson("/tours/" + encodeURIComponent(name)).then(function (data) {
      loadingTour = null;
      if (!data.steps || !data.steps.length) { return; }
      var dialog = document.createElement("div");
      dialog.className = "helpwidget-tour";
      dialog.id = "helpwidget-tour";
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "false");
      dialog.setAttribute("aria-labelledby", "helpwidget-tour-title");
      dialog.setAttribute("aria-describedby", "helpwidget-tour-body");
      document.body.appendChild(dialog);
      tour = {data: data, index: 0, dialog: dialog, returnTo: returnTo};
      announce("Tour started: " + data.title + ".");
      showStep(0);
    }).catch(function () {
      loadingTour = null;
      announce("The tour could not be loaded.");
    });
    return loadingTour;
  }

  /* ---- the quarterly survey (NPS), asked in the app first ------------------------------ */

  var survey = null;

  function closeSurvey(message) {
    if (!survey) { return; }
    survey.box.parentNode.removeChild(survey.box);
    var returnTo = survey.returnTo;
    survey = null;
    if (message) { announce(message); }
    if (returnTo && returnTo.focus) { returnTo.focus(); }
  }

  function surveyPrompt(item) {
    var box = document.createElement("section");
    box.className = "helpwidget-survey";
    box.id = "helpwidget-survey";
    box.setAttribute("aria-labelledby", "helpwidget-survey-title");
    var title = document.createElement("h2");
    title.id = "helpwidget-survey-title";
    title.textContent = "Quick question";
    var form = document.createElement("form");
    form.noValidate = true;
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = item.question;
    fieldset.appendChild(legend);
    var hint = document.createElement("p");
    hint.className = "helpwidget-survey-hint";
    hint.id = "helpwidget-survey-hint";
    hint.textContent = item.scale.min + " = " + item.scale.min_label + ", " +
      item.scale.max + " = " + item.scale.max_label;
    fieldset.setAttribute("aria-describedby", hint.id);
    fieldset.appendChild(hint);
    var scale = document.createElement("div");
    scale.className = "helpwidget-survey-scale";
    for (var score = item.scale.min; score <= item.scale.max; score += 1) {
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "helpwidget-score";
      radio.value = String(score);
      radio.id = "helpwidget-score-" + score;
      label.setAttribute("for", radio.id);
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + score));
      scale.appendChild(label);
    }
    fieldset.appendChild(scale);
    form.appendChild(fieldset);
    var whyLabel = document.createElement("label");
    whyLabel.setAttribute("for", "helpwidget-why");
    whyLabel.textContent = "Why? (optional)";
    var why = document.createElement("textarea");
    why.id = "helpwidget-why";
    why.rows = 2;
    why.maxLength = 2000;
    form.appendChild(whyLabel);
    form.appendChild(why);
    var error = document.createElement("p");
    error.className = "helpwidget-survey-error";
    error.id = "helpwidget-survey-error";
    error.setAttribute("role", "alert");
    form.appendChild(error);
    var actions = document.createElement("div");
    actions.className = "helpwidget-tour-actions";
    var send = document.createElement("button");
    send.type = "submit";
    send.id = "helpwidget-survey-send";
    send.textContent = "Send";
    actions.appendChild(send);
    actions.appendChild(button("Not now", "helpwidget-survey-later", function () {
      closeSurvey("The survey is closed; the app may ask again later.");
    }));
    form.appendChild(actions);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=helpwidget-score]:checked");
      if (!chosen) {
        error.textContent = "Choose a number from 0 to 10.";
        fieldset.setAttribute("aria-invalid", "true");
        form.querySelector("input[name=helpwidget-score]").focus();
        return;
      }
      var body = {score: Number(chosen.value)};
      if (why.value.trim()) { body.why = why.value.trim(); }
      send.disabled = true;
      fetch(options.baseUrl + "/surveys/nps/" + item.id, {
        method: "POST",
        headers: headers({"Content-Type": "application/json"}),
        credentials: "omit",
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error((data.error && data.error.message) || "failed"); }
          closeSurvey("Thank you for your answer!");
        });
      }).catch(function (problem) {
        send.disabled = false;
        error.textContent = "Your answer could not be sent: " + problem.message;
      });
    });
    box.appendChild(title);
    box.appendChild(form);
    return box;
  }

  /* Asks the signed-in app user's open quarterly survey, if there is one (needs a token). */
  function checkSurveys() {
    if (!options.token) { return Promise.resolve(null); }
    return getJson("/surveys/pending").then(function (data) {
      var item = (data.surveys || []).filter(function (s) { return s.kind === "nps"; })[0];
      if (!item || survey) { return null; }
      var box = surveyPrompt(item);
      survey = {box: box, returnTo: document.activeElement};
      document.body.appendChild(box);
      announce("A one-question survey is open.");
      return item;
    }).catch(function () { return null; });
  }

  /* Esc closes the innermost thing first: an open tooltip, then the tour. */
  function onKeyDown(event) {
    if (event.key !== "Escape") { return; }
    if (openTip) {
      hideTip();
    } else if (tour) {
      endTour("dismissed");
    }
  }

  /* A click or tap outside the open tooltip and its button closes it (Safari does not focus
     buttons on click, so blur alone would leave a clicked tooltip open). */
  function onPointerDown(event) {
    if (openTip && !openTip.button.contains(event.target) && !openTip.tip.contains(event.target)) {
      hideTip();
    }
  }

  /* ---- incident banner ----------------------------------------------------------------- */

  /* The open incident's banner from GET /status, shown in [data-help-status] (the app's own
     place for it) as plain text with a link to the status page; hidden when all is well. */
  function loadStatus() {
    var box = document.querySelector("[data-help-status]");
    if (!box) { return Promise.resolve(null); }
    return getJson("/status").then(function (data) {
      var incident = data && data.incident;
      box.textContent = "";
      if (!incident) { box.hidden = true; return null; }
      box.className = "helpwidget-incident helpwidget-incident-" + incident.level;
      box.setAttribute("role", "status");
      var text = document.createElement("span");
      text.textContent = incident.text;
      box.appendChild(text);
      if (incident.url) {
        var base = new URL(options.baseUrl, global.location.href);
        var link = document.createElement("a");
        link.href = new URL(incident.url, base).href;
        link.textContent = "Status and updates";
        box.appendChild(document.createTextNode(" "));
        box.appendChild(link);
      }
      box.hidden = false;
      return incident;
    }).catch(function () { return null; });
  }

  var listening = false;

  function init(settings) {
    Object.keys(settings || {}).forEach(function (name) { options[name] = settings[name]; });
    options.baseUrl = String(options.baseUrl).replace(/\/$/, "");
    if (!listening) {
      listening = true;
      document.addEventListener("keydown", onKeyDown);
      document.addEventListener("pointerdown", onPointerDown);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-help-tour]"), function (element) {
      if (element.getAttribute("data-help-tour-ready")) { return; }
      element.setAttribute("data-help-tour-ready", "1");
      element.addEventListener("click", function () {
        startTour(element.getAttribute("data-help-tour"));
      });
    });
    loadStatus();
    initChat();
    return loadTooltips(document);
  }
  /* ---- live chat ------------------------------------------------------------------------ */

  function initChat() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-help-chat]"), function (button) {
      if (button.getAttribute("data-help-chat-ready")) { return; }
      button.setAttribute("data-help-chat-ready", "1");
      var chatBase = button.getAttribute("data-help-chat").replace(/\/$/, "");
      var panel = document.getElementById(button.getAttribute("data-help-chat-panel"));
      var note = document.getElementById(button.getAttribute("aria-describedby") || "");
      fetch(chatBase + "/status", {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (state) {
          if (!note) { return; }
          note.textContent = state.available ? "Agents are online now."
            : state.reason === "hours" ? "Chat is closed now; you can leave a request."
            : "No agent is online now; you can leave a request.";
        }).catch(function () { return null; });
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        if (!panel || !global.HelpChat) { return; }
        var opening = panel.hidden;
        panel.hidden = !opening;
        button.setAttribute("aria-expanded", opening ? "true" : "false");
        if (opening && !panel.getAttribute("data-mounted")) {
          panel.setAttribute("data-mounted", "1");
          global.helpChat = global.HelpChat.mount(panel, {
            base: chatBase, origin: "widget", csrf: button.getAttribute("data-csrf") || ""
          });
        }
      });
    });
  }

  global.HelpWidget = {
    init: init, startTour: startTour, refresh: loadTooltips, hideTooltip: hideTip,
    refreshStatus: loadStatus, checkSurveys: checkSurveys
  };

  var script = document.currentScript;
  if (script && script.hasAttribute("data-auto-init")) {
    var start = function () {
      init({
        baseUrl: script.getAttribute("data-base-url") || options.baseUrl,
        lang: script.getAttribute("data-lang") || document.documentElement.lang || "en"
      });
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
}(window));
