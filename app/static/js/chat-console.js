/* The agents' chat console (docs/chat.md): the queue in arrival order with wait times,
   the agent's chats, one open conversation with notes, saved responses, transfer and end.
   Long-polls /chat/console/state (queue changes) and the open conversation's events; lines the
   agent writes carry client ids and are resent until acknowledged, as in chat.js. */
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root) { return; }
  var base = root.getAttribute("data-chat-base").replace(/\/$/, "") + "/console";
  var ticketBase = root.getAttribute("data-ticket-base");
  var csrf = root.getAttribute("data-csrf");
  var $ = function (id) { return document.getElementById(id); };
  var state = null, open = null, lastSeq = 0, lastTag = null, shown = {}, pending = [], sending = false;
  var pollToken = 0, typingTimer = null, lastTyping = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function newId() {
    return window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID()
      : "a" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function call(method, path, body) {
    return fetch(base + path, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 204) { return {status: 204, data: null}; }
      return r.json().then(function (d) { return {status: r.status, data: d}; },
        function () { return {status: r.status, data: null}; });
    }).catch(function () { return {status: 0, data: null}; });  // offline: the caller retries
  }
  function minutes(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? m + " min " + s + " s" : s + " s";
  }

  function renderState(data) {
    state = data;
    $("presence-status").textContent = "You are " + data.presence + " (" + data.mine.length + " of " + data.limit + " chats).";
    var queue = $("chat-queue"), mine = $("chat-mine");
    queue.textContent = ""; mine.textContent = "";
    data.queue.forEach(function (c) {
      var li = el("li", {"data-id": String(c.id)});
      var button = el("button", {type: "button", "class": "link-button"}, c.requester + " (" + c.ticket_ref + ")");
      button.addEventListener("click", function () { select(c.id); });
      li.appendChild(button);
      li.appendChild(el("span", {"class": "chat-wait", "data-waited": String(c.waited_seconds)}, " waiting " + minutes(c.waited_seconds)));
      if (c.tier > 1) { li.appendChild(el("span", {}, " · Tier " + c.tier)); }
      if (c.first_response_late) { li.appendChild(el("strong", {"class": "chat-late"}, " · past the chat target")); }
      li.appendChild(el("p", {"class": "chat-question"}, c.question));
      queue.appendChild(li);
    });
    $("queue-empty").hidden = data.queue.length > 0;
    data.mine.forEach(function (c) {
      var li = el("li", {"data-id": String(c.id)});
      var button = el("button", {type: "button", "class": "link-button"}, c.requester + " (" + c.ticket_ref + ")");
      button.addEventListener("click", function () { select(c.id); });
      li.appendChild(button);
      if (c.unread > 0) { li.appendChild(el("span", {}, " · " + c.unread + " new")); }
      mine.appendChild(li);
    });
    var transfer = $("pane-transfer");
    transfer.textContent = "";
    data.agents.forEach(function (a) { transfer.appendChild(el("option", {value: "agent:" + a.id}, a.name)); });
    [1, 2, 3].forEach(function (t) { transfer.appendChild(el("option", {value: "tier:" + t}, "Tier " + t + " queue")); });
  }

  function loadState(wait) {
    return call("GET", "/state" + (wait ? "?wait=1" : "")).then(function (r) {
      if (r.status === 200) { renderState(r.data); }
    });
  }
  function watchQueue() {
    loadState(true).then(watchQueue, function () { setTimeout(watchQueue, 2000); });
  }
  setInterval(function () {  // the wait times keep counting between updates
    Array.prototype.forEach.call(document.querySelectorAll(".chat-wait"), function (span) {
      var s = Number(span.getAttribute("data-waited")) + 1;
      span.setAttribute("data-waited", String(s));
      span.textContent = " waiting " + minutes(s);
    });
  }, 1000);

  function lineNode(line) {
    var li = el("li", {"class": "chat-line chat-" + line.role, "data-seq": String(line.seq)});
    if (line.client_id) { li.setAttribute("data-client-id", line.client_id); }
    var who = line.role === "note" ? "Note by " + line.author : line.author;
    if (who) { li.appendChild(el("span", {"class": "chat-author"}, who + ": ")); }
    var body = el("div", {"class": "chat-body"});
    body.innerHTML = line.body_html;  // sanitised once on the server (app/markup.py)
    li.appendChild(body);
    (line.files || []).forEach(function (file) {
      // Served as downloads by the request's attachment path; an <img> still shows an image.
      var link = el("a", {"class": "chat-file", href: file.url, download: file.name});
      if (file.image) { link.appendChild(el("img", {src: file.url, alt: "Image: " + file.name})); }
      else { link.textContent = file.name; }
      li.appendChild(link);
    });
    return li;
  }
  function applyEvents(data) {
    open.conversation = data.conversation;
    lastTag = data.tag || null;
    (data.lines || []).forEach(function (line) {
      if (shown[line.seq]) { return; }
      shown[line.seq] = true;
      var waiting = line.client_id && $("pane-log").querySelector('li.chat-pending[data-client-id="' + line.client_id + '"]');
      if (waiting) { $("pane-log").replaceChild(lineNode(line), waiting); } else { $("pane-log").appendChild(lineNode(line)); }
      lastSeq = Math.max(lastSeq, line.seq);
    });
    var c = data.conversation;
    var read = c.read.customer;
    $("pane-status").textContent = "Status: " + c.status + (c.agent ? " · with " + c.agent : "") +
      " · the person has read up to message " + read + " of " + c.last_seq + ".";
    $("pane-accept").hidden = c.status !== "waiting";
    if ((data.typing || []).indexOf("customer") >= 0) {
      $("pane-typing").textContent = "The person is typing…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { $("pane-typing").textContent = ""; }, 4000);
    }
    if (data.lines && data.lines.length) { call("POST", "/c/" + c.id + "/read", {seq: lastSeq}); }
  }
  function follow(token) {
    if (!open || token !== pollToken) { return; }
    call("GET", "/c/" + open.id + "/events?after=" + lastSeq + (lastTag ? "&tag=" + encodeURIComponent(lastTag) : "")).then(function (r) {
      if (token !== pollToken) { return; }
      if (r.status !== 200) { throw new Error("poll"); }
      applyEvents(r.data);
      flush();
      setTimeout(function () { follow(token); }, r.data.retry_ms || 0);
    }).catch(function () { setTimeout(function () { follow(token); }, 2000); });
  }

  function select(id) {
    pollToken += 1;
    var token = pollToken;
    call("GET", "/c/" + id).then(function (r) {
      if (r.status !== 200) { return; }
      open = {id: id, conversation: r.data.conversation, summary: r.data.summary};
      lastSeq = 0; shown = {};
      $("pane-log").textContent = "";
      $("chat-pane").hidden = false;
      $("pane-heading").textContent = "Conversation with " + r.data.summary.requester + " (" + r.data.summary.ticket_ref + ")";
      $("pane-ticket").href = ticketBase + "/" + r.data.conversation.ticket_id + "/work";
      var tickets = $("pane-tickets"), searches = $("pane-searches");
      tickets.textContent = ""; searches.textContent = "";
      r.data.background.other_tickets.forEach(function (t) {
        var li = el("li");
        li.appendChild(el("a", {href: ticketBase + "/" + t.id + "/work"}, t.ref + " " + t.subject));
        li.appendChild(document.createTextNode(" (" + t.status + ")"));
        tickets.appendChild(li);
      });
      if (r.data.background.guide) { searches.appendChild(el("li", {}, "Followed the guide " + r.data.background.guide)); }
      r.data.background.searches.forEach(function (s) {
        searches.appendChild(el("li", {}, "“" + s.query + "”: " + (s.outcome === "clicked" ? "opened " + s.article_url : "chatted instead")));
      });
      if (!tickets.children.length) { tickets.appendChild(el("li", {}, "None")); }
      if (!searches.children.length) { searches.appendChild(el("li", {}, "Nothing recorded")); }
      applyEvents({conversation: r.data.conversation, lines: r.data.lines, typing: []});
      follow(token);
    });
  }

  function flush() {
    if (sending || !open || !pending.length) { return; }
    var next = pending[0];
    sending = true;
    call("POST", "/c/" + open.id + "/messages", next).then(function (r) {
      sending = false;
      if (r.status === 201) {
        pending.shift();
        flush();
      } else if (r.status >= 400 && r.status < 500) {
        pending.shift();
        $("pane-error").textContent = r.data && r.data.error ? r.data.error.message : "Not sent.";
        var node = $("pane-log").querySelector('li.chat-pending[data-client-id="' + next.client_id + '"]');
        if (node) { node.remove(); }
      } else { setTimeout(flush, 2000); }
    }).catch(function () { sending = false; setTimeout(flush, 2000); });
  }

  $("pane-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("pane-body"), body = input.value.trim(), picker = $("pane-file");
    $("pane-error").textContent = "";
    var file = picker.files && picker.files[0];
    if (file && open) {
      // A line with a file goes at once as a form; the line itself arrives by the events.
      var data = new FormData();
      data.append("client_id", newId()); data.append("body", body); data.append("files", file);
      data.append("internal", $("pane-internal").checked ? "true" : "false");
      fetch(base + "/c/" + open.id + "/messages", {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf}, body: data})
        .then(function (r) {
          if (r.status !== 201) { return r.json().then(function (d) { $("pane-error").textContent = d.error ? d.error.message : "Not sent."; }); }
        }).catch(function () { $("pane-error").textContent = "Not sent: no connection."; });
      input.value = ""; picker.value = ""; $("pane-internal").checked = false;
      return;
    }
    if (!body) { $("pane-error").textContent = "Write a message first."; input.focus(); return; }
    var item = {client_id: newId(), body: body, internal: $("pane-internal").checked};
    pending.push(item);
    var li = el("li", {"class": "chat-line chat-pending", "data-client-id": item.client_id});
    li.appendChild(el("div", {"class": "chat-body"}, body));
    $("pane-log").appendChild(li);
    input.value = "";
    $("pane-internal").checked = false;
    flush();
  });
  $("pane-body").addEventListener("input", function () {
    if (open && Date.now() - lastTyping > 3000) { lastTyping = Date.now(); call("POST", "/c/" + open.id + "/typing", {}); }
  });
  $("pane-template").addEventListener("change", function () {
    var option = this.options[this.selectedIndex];
    if (!option.value || !open) { return; }
    var body = option.getAttribute("data-body").replace(/\{name\}/g, open.summary.requester).replace(/\{ref\}/g, open.summary.ticket_ref);
    $("pane-body").value = body;
    this.selectedIndex = 0;
    $("pane-body").focus();
  });
  function act(path, body) {
    $("pane-error").textContent = "";
    return call("POST", "/c/" + open.id + path, body).then(function (r) {
      if (r.status !== 200) { $("pane-error").textContent = r.data && r.data.error ? r.data.error.message : "That did not work."; return; }
      loadState(false);
      select(open.id);
    });
  }
  $("pane-accept").addEventListener("click", function () { act("/accept", {}); });
  $("pane-end").addEventListener("click", function () { act("/end", {solved: $("pane-solved").checked}); });
  $("pane-transfer-go").addEventListener("click", function () {
    var parts = $("pane-transfer").value.split(":");
    act("/transfer", parts[0] === "agent" ? {to_agent_id: Number(parts[1])} : {to_tier: Number(parts[1])});
  });
  function presence(status) {
    call("POST", "/presence", {status: status}).then(function () { loadState(false); });
  }
  $("presence-online").addEventListener("click", function () { presence("online"); });
  $("presence-away").addEventListener("click", function () { presence("away"); });
  loadState(false).then(watchQueue);
}());
