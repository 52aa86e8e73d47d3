/* Frontline desk: live updates over the existing websockets, presence heartbeat, shortcuts.
 * Works without htmx (fetch + plain forms); htmx, when loaded, handles the compliance partial. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function socket(path, onMessage, onOpen) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    function open() {
      var ws = new WebSocket(scheme + location.host + path);
      if (onOpen) ws.onopen = function () { onOpen(ws); };
      ws.onmessage = function (event) {
        delay = 1000;
        onMessage(JSON.parse(event.data));
      };
      ws.onclose = function (event) {
        if (event.code >= 4400 && event.code < 4500) return; // refused: not signed in or not allowed
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }

  function refresh(url, targetId) {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var target = document.getElementById(targetId);
        if (html !== null && target) target.innerHTML = html;
      });
  }

  /* Others on the same ticket: {"type": "presence", user, name, state} from the ticket's socket. */
  function showOthers(others) {
    var note = document.getElementById("presence-others");
    if (!note) return;
    var lines = [];
    Object.keys(others).forEach(function (id) {
      var other = others[id];
      var template = other.state === "typing" ? note.dataset.typing : note.dataset.viewing;
      lines.push(template.replace("{name}", other.name));
    });
    note.textContent = lines.join(" ");
    note.hidden = lines.length === 0;
  }

  function liveTicket(body) {
    var ticketId = body.dataset.ticketId;
    if (!ticketId) return;
    var others = {};
    var note = document.getElementById("presence-others");
    var me = note ? note.dataset.me : "";
    var current = null;
    var idle = null;
    socket("/ws/tickets/" + ticketId + "/", function (data) {
      if (data.verb && data.verb.indexOf("message.") === 0) refresh(body.dataset.threadUrl, "thread");
      if (data.type === "presence" && String(data.user) !== me) {
        if (data.state === "left") delete others[data.user];
        else others[data.user] = data;
        showOthers(others);
      }
    }, function (ws) {
      current = ws;
      others = {};
      showOthers(others);
    });
    var reply = document.getElementById("reply-body");
    if (!reply) return;
    reply.addEventListener("input", function () {
      if (!current || current.readyState !== 1) return;
      if (idle === null) current.send(JSON.stringify({ type: "typing" }));
      clearTimeout(idle);
      idle = setTimeout(function () {
        idle = null;
        if (current && current.readyState === 1) current.send(JSON.stringify({ type: "viewing" }));
      }, 4000);
    });
  }

  function liveWallboard(body) {
    if (!body.dataset.wallboardUrl) return;
    socket("/ws/wallboard/", function (data) {
      if (data.type === "wallboard") refresh(body.dataset.wallboardUrl, "wallboard");
    });
  }

  /* Offers: ws/me/ announces routing changes for this agent; the pop-up partial is fetched again. */
  function countdowns(slot) {
    var offers = slot.querySelectorAll("[data-offer]");
    Array.prototype.forEach.call(offers, function (offer) {
      var expires = Date.parse(offer.dataset.expiresAt || "");
      var label = offer.querySelector("[data-countdown]");
      if (isNaN(expires) || !label) return;
      var left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      label.textContent = (offer.dataset.countdownText || "{seconds} s").replace("{seconds}", String(left));
      label.dataset.secondsLeft = String(left);
      if (left === 0) {
        offer.querySelector("[data-expired]").hidden = false;
        Array.prototype.forEach.call(offer.querySelectorAll("button"), function (b) { b.disabled = true; });
      }
    });
  }

  function silentCall(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-silent-call-start]"), function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var panel = button.closest(".call-script");
        var steps = panel.querySelectorAll("[data-silent-call] li[data-step]");
        var status = panel.querySelector("[data-silent-call-status]");
        var started = Date.now();
        button.disabled = true;
        var timer = setInterval(function () {
          var elapsed = (Date.now() - started) / 1000;
          var current = null;
          Array.prototype.forEach.call(steps, function (step) {
            var at = parseFloat(step.dataset.startsAt);
            step.classList.remove("current");
            if (!isNaN(at) && at <= elapsed) current = step;
          });
          if (current) {
            current.classList.add("current");
            current.setAttribute("aria-current", "step");
            status.textContent = current.querySelector(".line").textContent;
          }
          var last = steps[steps.length - 1];
          var end = last ? parseFloat(last.dataset.startsAt) + parseFloat(last.dataset.wait || "0") : 0;
          if (isNaN(end) || elapsed >= end) clearInterval(timer);
        }, 250);
      });
    });
  }

  function liveOffers() {
    var slot = document.getElementById("offers");
    if (!slot) return;
    function load() {
      fetch(slot.dataset.offersUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          slot.innerHTML = html;
          Array.prototype.forEach.call(slot.querySelectorAll("[data-offer-next]"), function (input) {
            input.value = location.pathname + location.search;
          });
          countdowns(slot);
          silentCall(slot);
          var first = slot.querySelector("[data-offer] button.primary");
          if (first && !slot.contains(document.activeElement)) first.focus();
        });
    }
    load();
    setInterval(function () { countdowns(slot); }, 1000);
    socket("/ws/me/", function (data) {
      if (data.type === "routing" && data.target_type === "interaction") load();
    }, function () {
      slot.dataset.live = "connected";
      load(); // anything offered while the socket was down
    });
  }

  function heartbeat() {
    if (!document.getElementById("presence-now")) return;
    setInterval(function () {
      fetch("/desk/presence/heartbeat/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
    }, 30000);
  }

  function isTyping(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function shortcuts() {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      var links = Array.prototype.slice.call(document.querySelectorAll("[data-ticket-row] a"));
      var current = links.indexOf(document.activeElement);
      if ((event.key === "j" || event.key === "k") && links.length) {
        var next = event.key === "j" ? Math.min(current + 1, links.length - 1) : Math.max(current - 1, 0);
        if (current === -1) next = 0;
        links[next].focus();
        event.preventDefault();
      } else if (event.key === "r") {
        var reply = document.getElementById("reply-body");
        if (reply) {
          reply.focus();
          event.preventDefault();
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    liveTicket(document.body);
    liveWallboard(document.body);
    liveOffers();
    silentCall(document);
    heartbeat();
    shortcuts();
  });
})();
