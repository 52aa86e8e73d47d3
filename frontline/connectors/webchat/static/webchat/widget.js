/*
 * Frontline chat widget. Paste into a page:
 *   <script src="https://support.example.com/static/webchat/widget.js" data-site="KEY" async></script>
 * Optional: data-lang="fil" (else the browser's language). No dependencies; everything the widget
 * says comes from the server in the visitor's language. Every line has a sequence number: after a
 * dropped connection or a reload the widget resumes from the last number it showed, so nothing is
 * lost or shown twice; unacknowledged messages are sent again with the same id (stored once).
 * Files go up with fetch to /chat/<site>/attachments/ (the resume token in X-Chat-Token) and come
 * back as numbered lines; a file is a download link. Messages and file names are always shown as
 * text (textContent), never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.site) return;
  var siteKey = script.dataset.site;
  var lang = script.dataset.lang || "";
  var base = new URL(script.src, document.baseURI).origin;
  var wsBase = base.replace(/^http/, "ws");
  var storeKey = "frontline-chat:" + siteKey;

  var S = {}; // strings
  var ws = null;
  var ready = null; // the server's "ready" frame
  var lastSeq = 0; // the highest line number shown
  var pending = {}; // client_id -> {text, el}
  var pendingOrder = [];
  var uploads = {}; // client_id -> the line of a file on its way up
  var readSeq = 0;
  var attempts = 0;
  var reconnectTimer = null;
  var stopped = false;
  var typingSentAt = 0;
  var typingTimer = null;
  var agentName = "";
  var conversationState = "";
  var isOpen = false;
  var question = "";

  function saved() {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || "null");
    } catch (e) {
      return null;
    }
  }
  function save(value) {
    try {
      if (value) localStorage.setItem(storeKey, JSON.stringify(value));
      else localStorage.removeItem(storeKey);
    } catch (e) {
      /* private mode: the chat still works, without resume across reloads */
    }
  }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] == null ? "" : String(values[key]);
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }
  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- The interface (in a shadow root, so the page's styles and ours do not mix) -------------------
  var host = el("div", { id: "frontline-chat" });
  var root = host.attachShadow({ mode: "open" });
  var ui = {};

  function field(id, label, input) {
    input.id = id;
    return el("div", { className: "field" }, [el("label", { for: id, text: label }), input]);
  }

  function build() {
    root.appendChild(el("link", { rel: "stylesheet", href: base + "/static/webchat/widget.css" }));
    ui.launcher = el("button", {
      type: "button",
      className: "launcher",
      "aria-expanded": "false",
      "aria-controls": "flc-panel",
      text: S.open,
    });
    ui.launcher.addEventListener("click", function () {
      setOpen(!isOpen);
    });
    ui.close = el("button", { type: "button", className: "close", "aria-label": S.close, text: "×" });
    ui.close.addEventListener("click", function () {
      setOpen(false);
    });
    ui.status = el("p", { className: "status", role: "status", "aria-live": "polite" });
    ui.error = el("p", { className: "error", role: "alert" });

    // Pre-chat form
    ui.name = el("input", { type: "text", autocomplete: "name", required: "" });
    ui.email = el("input", { type: "email", autocomplete: "email", required: "" });
    ui.question = el("textarea", { rows: "3", required: "" });
    ui.suggestions = el("div", { className: "suggestions", "aria-live": "polite" });
    ui.startForm = el("form", { className: "prechat", novalidate: "" }, [
      el("p", { text: S.intro }),
      field("flc-name", S.name, ui.name),
      field("flc-email", S.email, ui.email),
      field("flc-question", S.question, ui.question),
      ui.suggestions,
      el("button", { type: "submit", className: "primary", text: S.start }),
    ]);
    ui.startForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "start", name: ui.name.value, email: ui.email.value, question: ui.question.value });
    });
    var suggestTimer = null;
    ui.question.addEventListener("input", function () {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(function () {
        question = ui.question.value.trim();
        if (question.length >= 3) send({ type: "suggest", q: question });
      }, 400);
    });

    // Conversation
    ui.log = el("ol", { className: "log", role: "log", "aria-live": "polite", "aria-label": S.conversation });
    ui.typing = el("p", { className: "typing", "aria-live": "polite" });
    ui.text = el("textarea", { rows: "2" });
    ui.text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        ui.compose.requestSubmit();
      }
    });
    ui.text.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSentAt > 3000) {
        typingSentAt = now;
        send({ type: "typing", is_typing: true });
      }
    });
    // A real file input (keyboard and screen readers know it), shown through its label: the
    // browser's own "Choose file" text would not be in the visitor's language.
    ui.file = el("input", { type: "file", id: "flc-file", className: "file-input" });
    ui.file.addEventListener("change", function () {
      var file = ui.file.files && ui.file.files[0];
      ui.file.value = "";
      if (file) sendFile(file);
    });
    ui.compose = el("form", { className: "compose" }, [
      field("flc-text", S.message, ui.text),
      el("div", { className: "compose-actions" }, [
        ui.file,
        el("label", { for: "flc-file", className: "attach", text: S.attach }),
        el("button", { type: "submit", className: "primary", text: S.send }),
      ]),
    ]);
    ui.compose.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.text.value.trim();
      if (!text) return;
      ui.text.value = "";
      sendLine(text);
    });
    ui.transcript = el("button", { type: "button", className: "link", text: S.transcript });
    ui.transcript.addEventListener("click", function () {
      send({ type: "transcript" });
    });
    ui.end = el("button", { type: "button", className: "link", text: S.end });
    ui.end.addEventListener("click", function () {
      send({ type: "end" });
    });
    ui.chat = el("section", { className: "chat", hidden: "" }, [
      ui.log,
      ui.typing,
      ui.compose,
      el("div", { className: "actions" }, [ui.transcript, ui.end]),
    ]);

    // Leave a message / callback
    ui.leaveName = el("input", { type: "text", autocomplete: "name" });
    ui.leaveEmail = el("input", { type: "email", autocomplete: "email" });
    ui.leaveText = el("textarea", { rows: "3" });
    ui.leaveForm = el("form", { className: "leave" }, [
      el("h3", { text: S.leave }),
      field("flc-leave-name", S.name, ui.leaveName),
      field("flc-leave-email", S.email, ui.leaveEmail),
      field("flc-leave-text", S.message, ui.leaveText),
      el("button", { type: "submit", className: "primary", text: S.leave_send }),
    ]);
    ui.leaveForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send({
        type: "leave_message",
        name: ui.leaveName.value,
        email: ui.leaveEmail.value,
        text: ui.leaveText.value,
      });
    });
    ui.cbName = el("input", { type: "text", autocomplete: "name" });
    ui.cbPhone = el("input", { type: "tel", autocomplete: "tel" });
    ui.callbackForm = el("form", { className: "callback" }, [
      el("h3", { text: S.callback }),
      field("flc-cb-name", S.name, ui.cbName),
      field("flc-cb-phone", S.phone, ui.cbPhone),
      el("button", { type: "submit", className: "primary", text: S.callback_send }),
    ]);
    ui.callbackForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "callback", name: ui.cbName.value, phone: ui.cbPhone.value });
    });
    ui.offlineIntro = el("p", { className: "offline-intro" });
    ui.offline = el("section", { className: "offline", hidden: "" }, [
      ui.offlineIntro,
      el("p", { text: S.leave_intro }),
      ui.leaveForm,
      ui.callbackForm,
    ]);

    ui.done = el("p", { className: "done", hidden: "" });
    ui.again = el("button", { type: "button", className: "link", hidden: "", text: S.new_chat });
    ui.again.addEventListener("click", function () {
      save(null);
      resetConversation();
      show("form");
    });

    ui.panel = el(
      "div",
      { className: "panel", id: "flc-panel", role: "dialog", "aria-label": S.title, hidden: "" },
      [
        el("header", {}, [el("h2", { text: S.title }), ui.close]),
        ui.status,
        ui.error,
        ui.startForm,
        ui.chat,
        ui.offline,
        ui.done,
        ui.again,
      ]
    );
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false);
    });
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(host);
    show("form");
  }

  function show(view) {
    ui.startForm.hidden = view !== "form";
    ui.chat.hidden = view !== "chat";
    ui.offline.hidden = view !== "offline";
    ui.done.hidden = view !== "done";
    ui.again.hidden = view !== "done";
  }

  function setOpen(open) {
    isOpen = open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      connect();
      var first = ui.panel.querySelector(
        "section:not([hidden]) textarea, form:not([hidden]) input, form:not([hidden]) textarea"
      );
      (first || ui.close).focus();
      markRead();
    } else {
      ui.launcher.focus();
    }
  }

  function status(text) {
    ui.status.textContent = text || "";
  }

  // --- Lines -------------------------------------------------------------------------------------
  function lineBody(text, attachment) {
    if (!attachment) return el("span", { className: "text", text: text });
    var name = attachment.url
      ? el("a", {
          className: "text file",
          href: base + attachment.url,
          target: "_blank",
          rel: "noopener noreferrer",
          text: attachment.name,
        })
      : el("span", { className: "text file", text: attachment.name });
    return el("span", { className: "body" }, [name, el("span", { className: "size", text: size(attachment.size) })]);
  }

  function line(author, name, text, extraClass, attachment) {
    var who = author === "customer" ? S.you : name || S.agent;
    var item = el("li", { className: "line " + author + (extraClass ? " " + extraClass : "") }, [
      el("span", { className: "who", text: who }),
      lineBody(text, attachment),
      el("span", { className: "receipt" }),
    ]);
    ui.log.appendChild(item);
    ui.log.scrollTop = ui.log.scrollHeight;
    return item;
  }

  function notice(text) {
    var item = el("li", { className: "line system", text: text });
    ui.log.appendChild(item);
    return item;
  }

  function sendLine(text) {
    var id = newId();
    var item = line("customer", "", text, "pending");
    item.querySelector(".receipt").textContent = S.sending;
    pending[id] = { text: text, el: item };
    pendingOrder.push(id);
    send({ type: "message", client_id: id, text: text });
  }

  function sendFile(file) {
    var stored = saved();
    ui.error.textContent = "";
    if (!stored || !stored.token) return;
    var max = ready && ready.attachment_max_bytes;
    if (max && file.size > max) {
      ui.error.textContent = fmt(S.file_too_large, { size: size(max) });
      return;
    }
    var id = newId();
    var item = line("customer", "", file.name, "pending", { name: file.name, size: file.size });
    item.querySelector(".receipt").textContent = S.uploading;
    uploads[id] = item;
    var body = new FormData();
    body.append("client_id", id);
    body.append("file", file);
    var url = base + "/chat/" + encodeURIComponent(siteKey) + "/attachments/" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
    fetch(url, { method: "POST", headers: { "X-Chat-Token": stored.token }, body: body })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (answer) {
            if (!response.ok) throw answer;
            // Stored: the line itself comes over the socket, in its place among the others.
            if (uploads[id]) item.dataset.seq = String(answer.seq);
          });
      })
      .catch(function (answer) {
        if (!uploads[id]) return;
        delete uploads[id];
        item.remove();
        ui.error.textContent = answer && answer.type === "error" && answer.message ? answer.message : S.error;
      });
  }

  function onLine(frame) {
    if (frame.seq <= lastSeq) return; // shown already
    lastSeq = frame.seq;
    var stored = saved();
    if (stored) {
      stored.lastSeq = lastSeq;
      save(stored);
    }
    var mine = frame.client_id && pending[frame.client_id];
    var upload = frame.client_id && uploads[frame.client_id];
    var item;
    if (upload) {
      item = upload;
      item.classList.remove("pending");
      item.querySelector(".receipt").textContent = "";
      item.replaceChild(lineBody(frame.text, frame.attachment), item.children[1]);
      ui.log.insertBefore(item, ui.log.querySelector("li.pending"));
      delete uploads[frame.client_id];
    } else if (mine) {
      item = mine.el;
      item.classList.remove("pending");
      item.querySelector(".receipt").textContent = "";
      // Lines arrive in order: put it after the lines numbered before it, above any still unsent.
      ui.log.insertBefore(item, ui.log.querySelector("li.pending"));
      delete pending[frame.client_id];
      pendingOrder = pendingOrder.filter(function (id) {
        return id !== frame.client_id;
      });
    } else {
      item = line(frame.author, frame.name, frame.text, "", frame.attachment);
    }
    item.dataset.seq = String(frame.seq);
    if (frame.author === "agent") {
      ui.typing.textContent = "";
      markRead();
    }
    applyRead();
  }

  function markRead() {
    if (isOpen && lastSeq > readSeq && conversationState && document.visibilityState !== "hidden") {
      readSeq = lastSeq;
      send({ type: "read", seq: lastSeq });
    }
  }

  var agentReadSeq = 0;
  function applyRead() {
    Array.prototype.forEach.call(ui.log.querySelectorAll("li.customer"), function (item) {
      var seq = Number(item.dataset.seq || 0);
      if (seq && seq <= agentReadSeq) item.querySelector(".receipt").textContent = S.read;
    });
  }

  function resetConversation() {
    ui.log.textContent = "";
    lastSeq = 0;
    readSeq = 0;
    agentReadSeq = 0;
    pending = {};
    pendingOrder = [];
    uploads = {};
    conversationState = "";
    agentName = "";
  }

  function offline(reason) {
    ui.offlineIntro.textContent = reason;
    ui.leaveName.value = ui.leaveName.value || ui.name.value;
    ui.leaveEmail.value = ui.leaveEmail.value || ui.email.value;
    ui.cbName.value = ui.cbName.value || ui.name.value;
    ui.callbackForm.hidden = !(ready && ready.offers.indexOf("callback") >= 0);
    show("offline");
  }

  // --- The connection ----------------------------------------------------------------------------
  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false; // messages stay pending and are sent again after the reconnect
  }

  function connect() {
    if (ws || stopped || held) return;
    clearTimeout(reconnectTimer);
    var url = wsBase + "/ws/chat/" + encodeURIComponent(siteKey) + "/" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
    ws = new WebSocket(url);
    ws.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      handle(frame);
    };
    ws.onclose = function (event) {
      ws = null;
      if (event.code === 4403 || event.code === 4404) {
        stopped = true; // this page may not open the chat: do not hammer the server
        status(S.error);
        return;
      }
      if (stopped) return;
      status(S.reconnecting);
      var delay = Math.min(10000, 500 * Math.pow(2, attempts)) * (0.75 + Math.random() / 2);
      attempts += 1;
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function handle(frame) {
    switch (frame.type) {
      case "ready": {
        ready = frame;
        var wasReconnect = attempts > 0;
        attempts = 0;
        var stored = saved();
        if (stored && stored.token) {
          send({ type: "resume", token: stored.token, last_seq: lastSeq });
        } else if (!frame.open) {
          offline(S.closed_now);
        }
        if (wasReconnect) status(S.connected);
        break;
      }
      case "started":
        save({ token: frame.token, lastSeq: 0 });
        conversationState = frame.state;
        ui.error.textContent = "";
        show("chat");
        status(S.waiting);
        ui.text.focus();
        break;
      case "resumed":
        conversationState = frame.state;
        agentName = frame.agent_name;
        agentReadSeq = Math.max(agentReadSeq, frame.agent_read_seq || 0);
        if (frame.state === "ended" || frame.state === "abandoned") {
          finished(S.ended);
          break;
        }
        show("chat");
        status(agentName ? fmt(S.joined, { name: agentName }) : S.waiting);
        pendingOrder.forEach(function (id) {
          send({ type: "message", client_id: id, text: pending[id].text }); // stored once
        });
        break;
      case "message":
        onLine(frame);
        break;
      case "ack":
        if (pending[frame.client_id]) pending[frame.client_id].el.dataset.seq = String(frame.seq);
        break;
      case "agent_joined":
        agentName = frame.name;
        conversationState = "active";
        status(fmt(S.joined, { name: frame.name }));
        notice(fmt(S.joined, { name: frame.name }));
        break;
      case "typing":
        ui.typing.textContent = frame.is_typing ? fmt(S.typing, { name: frame.name || S.agent }) : "";
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () {
          ui.typing.textContent = "";
        }, 5000);
        break;
      case "read":
        agentReadSeq = Math.max(agentReadSeq, frame.seq);
        applyRead();
        break;
      case "suggestions":
        showSuggestions(frame);
        break;
      case "deflected":
        finished(S.thanks_solved);
        break;
      case "fallback":
        offline(S.no_agent);
        break;
      case "left":
        save(null);
        finished(S.left);
        break;
      case "callback_requested":
        save(null);
        finished(S.callback_done);
        break;
      case "transcript_sent":
        status(S.transcript_sent);
        break;
      case "ended":
        if (!ui.chat.hidden) finished(S.ended);
        save(null);
        conversationState = frame.state;
        break;
      case "error":
        if (frame.code === "not_found" && saved()) {
          save(null); // the stored conversation is gone: start afresh
          resetConversation();
          show(ready && ready.open ? "form" : "offline");
          break;
        }
        if (frame.code === "closed") {
          offline(S.closed_now);
        }
        ui.error.textContent = frame.message || S.error;
        break;
    }
  }

  function finished(text) {
    ui.done.textContent = text;
    show("done");
    status("");
  }

  function showSuggestions(frame) {
    ui.suggestions.textContent = "";
    if (!frame.articles.length || frame.q !== question) return;
    var list = el("ul");
    frame.articles.forEach(function (article) {
      var solved = el("button", { type: "button", className: "link", text: S.solved });
      solved.addEventListener("click", function () {
        send({ type: "solved", article_id: article.article_id, q: frame.q });
      });
      list.appendChild(
        el("li", {}, [
          el("a", { href: base + article.url, target: "_blank", rel: "noopener", text: article.title }),
          el("span", { className: "snippet", text: article.snippet }),
          solved,
        ])
      );
    });
    ui.suggestions.appendChild(el("p", { text: S.suggested }));
    ui.suggestions.appendChild(list);
  }

  document.addEventListener("visibilitychange", markRead);

  // Hooks for tests and for the page. dropConnection() closes the socket as a network failure
  // would (the widget reconnects by itself); with {hold: true} it stays down until
  // restoreConnection(), so a test can make things happen while the customer is away.
  var held = false;
  window.FrontlineChat = {
    dropConnection: function (options) {
      held = !!(options && options.hold);
      if (ws) ws.close();
    },
    restoreConnection: function () {
      held = false;
      attempts = 0;
      connect();
    },
    open: function () {
      setOpen(true);
    },
  };

  var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
  fetch(base + "/chat/strings/" + query)
    .then(function (response) {
      return response.json();
    })
    .then(function (body) {
      S = body.strings;
      lang = lang || body.language;
      function start() {
        build();
        if (saved()) {
          setOpen(true); // a conversation is going on: pick it up after the reload
        }
      }
      if (document.body) start();
      else document.addEventListener("DOMContentLoaded", start);
    });
})();
