/* Live chat for the person asking (docs/chat.md): the site's /chat page and the help widget.
   HelpChat.mount(element, {base: "/chat", origin: "site"|"widget", csrf: token}).

   No line is lost or shown twice: every line the person writes gets a client id and waits in
   localStorage until the server acknowledges it (resent with the same id after a drop); lines
   arrive with sequence numbers and the client asks for everything after the last one it has,
   over Server-Sent Events, or long-polling when SSE is unavailable or the server is busy. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function store(key, value) {
    try {
      if (value === undefined) { return JSON.parse(window.localStorage.getItem(key) || "null"); }
      if (value === null) { window.localStorage.removeItem(key); } else {
        window.localStorage.setItem(key, JSON.stringify(value));
      }
    } catch (e) { return null; }
    return value;
  }

  function mount(root, options) {
    var base = (options.base || "/chat").replace(/\/$/, "");
    var csrf = options.csrf || "";
    var origin = options.origin || "site";
    var signedIn = options.signedIn === true;
    var KEY = "helpchat:" + base;
    var saved = store(KEY) || {};   // {id, secret, lastSeq, pending: [{client_id, body}]}
    var conversation = null, lastSeq = 0, lastTag = null, source = null, polling = false, stopped = false;
    var shown = {}, typingTimer = null, lastTypingSent = 0, sending = false;

    function save() {
      saved.lastSeq = lastSeq;
      store(KEY, saved);
    }

    function request(method, path, body) {
      var headers = {"Content-Type": "application/json", "X-CSRFToken": csrf};
      if (saved.secret) { headers["X-Chat-Secret"] = saved.secret; }
      return fetch(base + path, {
        method: method, headers: headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body)
      }).then(function (response) {
        if (response.status === 204) { return {status: 204, data: null}; }
        return response.json().then(function (data) { return {status: response.status, data: data}; },
          function () { return {status: response.status, data: null}; });
      }).catch(function () { return {status: 0, data: null}; });  // offline: the caller retries
    }

    root.textContent = "";
    var status = el("p", {"class": "chat-status", role: "status", "aria-live": "polite"});
    var log = el("ol", {"class": "chat-log", "aria-label": "Conversation", "aria-live": "polite"});
    var typing = el("p", {"class": "chat-typing", "aria-live": "polite"});
    var form = el("form", {"class": "chat-form", novalidate: ""});
    var actions = el("div", {"class": "chat-actions"});
    root.appendChild(status);
    root.appendChild(log);
    root.appendChild(typing);
    root.appendChild(form);
    root.appendChild(actions);

    /* ---- Before the chat: the question, suggested articles, availability --------------- */
    function startForm(state) {
      form.textContent = "";
      var qId = "chat-question-" + origin;
      form.appendChild(el("label", {"for": qId}, "Your question"));
      var question = el("textarea", {id: qId, name: "question", rows: "3", required: ""});
      question.value = saved.draft || "";
      form.appendChild(question);
      var qError = el("p", {"class": "chat-error", id: qId + "-error"});
      form.appendChild(qError);
      var emailInput = null, nameInput = null, eError = null;
      if (!state.signed_in) {
        form.appendChild(el("label", {"for": qId + "-email"}, "Your e-mail address"));
        emailInput = el("input", {id: qId + "-email", type: "email", name: "email", autocomplete: "email", required: ""});
        form.appendChild(emailInput);
        eError = el("p", {"class": "chat-error", id: qId + "-email-error"});
        form.appendChild(eError);
        form.appendChild(el("label", {"for": qId + "-name"}, "Your name (optional)"));
        nameInput = el("input", {id: qId + "-name", name: "name", autocomplete: "name"});
        form.appendChild(nameInput);
      }
      var suggestions = el("section", {"class": "chat-suggestions", "aria-live": "polite", hidden: ""});
      suggestions.appendChild(el("h2", {}, "These articles might help"));
      var list = el("ul");
      suggestions.appendChild(list);
      form.appendChild(suggestions);
      var lastQuery = "", timer = null;
      function suggest() {
        var query = question.value.trim();
        saved.draft = question.value;
        save();
        if (query.length < 4 || query === lastQuery) { return; }
        lastQuery = query;
        fetch("/search/results.json?log=0&per_page=3&q=" + encodeURIComponent(query), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).slice(0, 3).forEach(function (item) {
              if (!item.url || item.url.charAt(0) !== "/" || item.url.charAt(1) === "/") { return; }
              var li = el("li"), a = el("a", {href: item.url}, item.title || item.url);
              a.addEventListener("click", function () {
                request("POST", "/deflection", {query: query, article_url: item.url, outcome: "clicked"});
              });
              li.appendChild(a);
              list.appendChild(li);
            });
            suggestions.hidden = !list.children.length;
          }).catch(function () { return null; });
      }
      question.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 350); });
      function fields() {
        return {question: question.value, email: emailInput ? emailInput.value : "",
                name: nameInput ? nameInput.value : "", origin: origin};
      }
      function showErrors(error) {
        qError.textContent = ""; if (eError) { eError.textContent = ""; }
        var target = error && error.field === "email" ? eError : qError;
        if (target) { target.textContent = error ? error.message : "Something went wrong; try again."; }
        var input = error && error.field === "email" ? emailInput : question;
        if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", target.id); input.focus(); }
      }
      var button;
      if (state.available) {
        status.textContent = "Chat is open. An agent will answer you here.";
        button = el("button", {type: "submit"}, "Chat with us");
        form.appendChild(button);
        form.onsubmit = function (event) {
          event.preventDefault();
          var body = fields();
          body.client_id = newId();
          request("POST", "/start", body).then(function (answer) {
            if (answer.status === 201) {
              if (lastQuery) { request("POST", "/deflection", {query: lastQuery, article_url: "", outcome: "left"}); }
              saved = {id: answer.data.conversation.id, secret: answer.data.secret, lastSeq: 0, pending: []};
              save();
              begin(answer.data.conversation);
            } else if (answer.status === 409) {
              showStatus().then(startForm);
            } else { showErrors(answer.data && answer.data.error); }
          });
        };
      } else {
        status.textContent = state.reason === "hours"
          ? "Chat is closed now. It opens " + when(state.opens_at) + ". Send your question as a request instead and we will answer by e-mail."
          : "No agent is free to chat right now. Send your question as a request and we will answer by e-mail.";
        button = el("button", {type: "submit"}, "Send as a request");
        form.appendChild(button);
        form.onsubmit = function (event) {
          event.preventDefault();
          request("POST", "/request", fields()).then(function (answer) {
            if (answer.status === 201) {
              saved.draft = ""; save();
              form.textContent = "";
              status.textContent = "Thank you. Your request " + answer.data.ticket_ref + " is with our support team; we will answer by e-mail.";
            } else { showErrors(answer.data && answer.data.error); }
          });
        };
        if (state.signed_in && state.request_url) {
          var full = el("a", {href: state.request_url}, "Open the full request form");
          full.addEventListener("click", function () { full.href = state.request_url + "?description=" + encodeURIComponent(question.value); });
          form.appendChild(el("p")).appendChild(full);
        }
      }
    }

    function when(iso) {
      if (!iso) { return "later"; }
      var date = new Date(iso);
      return "at " + date.toLocaleString([], {weekday: "long", hour: "2-digit", minute: "2-digit"});
    }

    function showStatus() {
      return request("GET", "/status").then(function (answer) { return answer.data; });
    }

    /* ---- During the chat ------------------------------------------------------------------ */
    function describe(state) {
      if (state.status === "waiting" && state.queue) {
        return "You are number " + state.queue.position + " in the queue. Estimated wait: " + state.queue.wait_text + ".";
      }
      if (state.status === "active") { return (state.agent || "An agent") + " is chatting with you."; }
      if (state.status === "handed_over") { return "This chat is now request " + state.ticket_ref + "; we will answer by e-mail."; }
      return "The chat has ended (request " + state.ticket_ref + ").";
    }

    function fileNode(file) {
      // Images are shown (the server sends every file as a download; an <img> still shows it).
      var link = el("a", {"class": "chat-file", href: file.url, download: file.name});
      if (file.image) { link.appendChild(el("img", {src: file.url, alt: "Image: " + file.name})); }
      else { link.textContent = file.name; }
      return link;
    }

    function upload(item, file) {
      // A line with a file goes at once as a form (files are not kept for a resend).
      var data = new FormData();
      data.append("client_id", item.client_id);
      data.append("body", item.body);
      data.append("files", file);
      var headers = {"X-CSRFToken": csrf};
      if (saved.secret) { headers["X-Chat-Secret"] = saved.secret; }
      var node = log.querySelector('li.chat-pending[data-client-id="' + item.client_id + '"] .chat-state');
      fetch(base + "/c/" + conversation.id + "/messages", {method: "POST", headers: headers, credentials: "same-origin", body: data})
        .then(function (response) {
          if (response.status === 201) { if (node) { node.textContent = "Sent"; } return; }
          return response.json().then(function (answer) {
            if (node) { node.textContent = "Not sent: " + (answer.error ? answer.error.message : "try again"); }
          });
        }).catch(function () { if (node) { node.textContent = "Not sent: no connection"; } });
    }

    function lineNode(line) {
      var li = el("li", {"class": "chat-line chat-" + line.role, "data-seq": String(line.seq)});
      if (line.client_id) { li.setAttribute("data-client-id", line.client_id); }
      if (line.author) { li.appendChild(el("span", {"class": "chat-author"}, line.author + ": ")); }
      var body = el("div", {"class": "chat-body"});
      body.innerHTML = line.body_html;  // sanitised once on the server (app/markup.py)
      li.appendChild(body);
      (line.files || []).forEach(function (file) { li.appendChild(fileNode(file)); });
      if (line.role === "customer") { li.appendChild(el("span", {"class": "chat-state"}, "Sent")); }
      return li;
    }

    function applyLines(lines) {
      lines.forEach(function (line) {
        if (shown[line.seq]) { return; }
        shown[line.seq] = true;
        var pending = line.client_id && log.querySelector('li.chat-pending[data-client-id="' + line.client_id + '"]');
        var node = lineNode(line);
        if (pending) { log.replaceChild(node, pending); } else { log.appendChild(node); }
        if (line.seq > lastSeq) { lastSeq = line.seq; }
      });
      saved.pending = (saved.pending || []).filter(function (item) {
        return !log.querySelector('li[data-seq][data-client-id="' + item.client_id + '"]');
      });
      save();
    }

    function applyRead(read) {
      Array.prototype.forEach.call(log.querySelectorAll("li.chat-customer[data-seq]"), function (li) {
        var state = li.querySelector(".chat-state");
        if (state) { state.textContent = Number(li.getAttribute("data-seq")) <= read.agent ? "Read" : "Delivered"; }
      });
    }

    function apply(payload) {
      conversation = payload.conversation;
      if (payload.tag) { lastTag = payload.tag; }
      applyLines(payload.lines || []);
      applyRead(conversation.read);
      status.textContent = describe(conversation);
      if ((payload.typing || []).indexOf("agent") >= 0) {
        typing.textContent = (conversation.agent || "The agent") + " is typing…";
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
      }
      if (payload.lines && payload.lines.length && document.visibilityState !== "hidden") {
        request("POST", "/c/" + conversation.id + "/read", {seq: lastSeq});
      }
      if (conversation.status !== "waiting" && conversation.status !== "active") { finished(); }
    }

    function listen() {
      if (stopped) { return; }
      if (window.EventSource && !polling) {
        source = new EventSource(base + "/c/" + conversation.id + "/stream?after=" + lastSeq);
        var failures = 0;
        source.onmessage = function (event) { failures = 0; apply(JSON.parse(event.data)); };
        source.onopen = function () { flush(); };
        source.onerror = function () {
          failures += 1;
          if (source.readyState === EventSource.CLOSED || failures > 3) {
            source.close(); source = null; polling = true; setTimeout(listen, 1000);
          }
        };
        return;
      }
      var tag = lastTag ? "&tag=" + encodeURIComponent(lastTag) : "";
      request("GET", "/c/" + conversation.id + "/events?after=" + lastSeq + tag).then(function (answer) {
        if (answer.status !== 200) { throw new Error("poll " + answer.status); }
        apply(answer.data);
        flush();
        setTimeout(listen, answer.data.retry_ms || 0);
      }).catch(function () { setTimeout(listen, 2000); });
    }

    function flush() {
      if (sending || !conversation) { return; }
      var next = (saved.pending || [])[0];
      if (!next) { return; }
      sending = true;
      request("POST", "/c/" + conversation.id + "/messages", next).then(function (answer) {
        sending = false;
        if (answer.status === 201) {
          var li = log.querySelector('li.chat-pending[data-client-id="' + next.client_id + '"]');
          if (li) { li.querySelector(".chat-state").textContent = "Sent"; }
          saved.pending = saved.pending.filter(function (item) { return item.client_id !== next.client_id; });
          save();
          flush();
        } else if (answer.status === 422) {
          saved.pending = saved.pending.filter(function (item) { return item.client_id !== next.client_id; });
          save();
          var failed = log.querySelector('li.chat-pending[data-client-id="' + next.client_id + '"] .chat-state');
          if (failed) { failed.textContent = "Not sent: " + answer.data.error.message; }
        } else { setTimeout(flush, 2000); }
      }).catch(function () { sending = false; setTimeout(flush, 2000); });
    }

    function pendingNode(item) {
      var li = el("li", {"class": "chat-line chat-customer chat-pending", "data-client-id": item.client_id});
      li.appendChild(el("span", {"class": "chat-author"}, "You: "));
      li.appendChild(el("div", {"class": "chat-body"}, item.body));
      li.appendChild(el("span", {"class": "chat-state"}, "Sending…"));
      return li;
    }

    function composer() {
      form.textContent = "";
      var id = "chat-message-" + origin;
      form.appendChild(el("label", {"for": id}, "Message"));
      var input = el("textarea", {id: id, rows: "2", name: "body"});
      form.appendChild(input);
      form.appendChild(el("label", {"for": id + "-file"}, "Attach an image (optional)"));
      var picker = el("input", {id: id + "-file", type: "file", name: "files",
                                accept: "image/png,image/jpeg,image/gif,image/webp"});
      form.appendChild(picker);
      form.appendChild(el("button", {type: "submit"}, "Send"));
      input.addEventListener("input", function () {
        if (Date.now() - lastTypingSent > 3000 && conversation) {
          lastTypingSent = Date.now();
          request("POST", "/c/" + conversation.id + "/typing", {});
        }
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
      });
      form.onsubmit = function (event) {
        event.preventDefault();
        var body = input.value.trim();
        var file = picker.files && picker.files[0];
        if (file) {
          var sent = {client_id: newId(), body: body};
          log.appendChild(pendingNode({client_id: sent.client_id, body: body || file.name}));
          input.value = ""; picker.value = "";
          upload(sent, file);
          return;
        }
        if (!body) { return; }
        var item = {client_id: newId(), body: body};
        saved.pending = (saved.pending || []).concat([item]);
        save();
        log.appendChild(pendingNode(item));
        input.value = "";
        flush();
      };
      actions.textContent = "";
      var endButton = el("button", {type: "button", "class": "secondary"}, "End chat");
      endButton.addEventListener("click", function () {
        request("POST", "/c/" + conversation.id + "/end", {}).then(function (answer) {
          if (answer.data) { apply({conversation: answer.data.conversation, lines: []}); }
        });
      });
      actions.appendChild(endButton);
    }

    function finished() {
      if (stopped) { return; }
      stopped = true;
      if (source) { source.close(); }
      form.textContent = "";
      actions.textContent = "";
      var mail = el("button", {type: "button"}, "E-mail me the transcript");
      mail.addEventListener("click", function () {
        request("POST", "/c/" + conversation.id + "/transcript", {}).then(function (answer) {
          mail.replaceWith(el("p", {role: "status"}, answer.status === 202 ? "Sent to " + answer.data.sent_to + "." : "Could not send it; try again."));
        });
      });
      actions.appendChild(mail);
      saved = {};
      store(KEY, null);
      // The feedback feature asks its post-chat question here (docs/chat.md, "Hooks").
      root.dispatchEvent(new CustomEvent("helpchat:ended", {bubbles: true, detail: {conversation: conversation}}));
    }

    function begin(state) {
      conversation = state;
      lastSeq = 0;
      shown = {};
      log.textContent = "";
      (saved.pending || []).forEach(function (item) { log.appendChild(pendingNode(item)); });
      status.textContent = describe(state);
      composer();
      request("GET", "/c/" + state.id + "/events?after=0&wait=0").then(function (answer) {
        if (answer.status !== 200) { throw new Error("history " + answer.status); }
        apply(answer.data);
        flush();
        listen();
      }).catch(function () { store(KEY, null); saved = {}; showStatus().then(startForm); });
    }

    request("GET", "/mine").then(function (answer) {
      var mine = answer.data && answer.data.conversation;
      if (mine && saved.id !== mine.id) { saved = {id: mine.id, lastSeq: 0, pending: []}; }
      if (mine) { begin(mine); } else { return showStatus().then(startForm); }
    }).catch(function () { status.textContent = "Chat is not reachable right now."; });

    return {
      // For tests and the fault drill: drop the live connection as a network failure would.
      drop: function () { if (source) { source.close(); source = null; setTimeout(listen, 500); } }
    };
  }

  window.HelpChat = {mount: mount};
  var page = document.getElementById("chat");
  if (page && page.hasAttribute("data-chat-base")) {
    window.helpChat = mount(page, {
      base: page.getAttribute("data-chat-base"), origin: page.getAttribute("data-origin") || "site",
      csrf: page.getAttribute("data-csrf"), signedIn: page.getAttribute("data-signed-in") === "yes"
    });
  }
}());
