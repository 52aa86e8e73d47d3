/* Frontline desk: live updates over the existing websockets, presence heartbeat, shortcuts.
 * Works without htmx (fetch + plain forms); htmx, when loaded, handles the compliance partial. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function socket(path, onMessage) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    function open() {
      var ws = new WebSocket(scheme + location.host + path);
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

  function liveTicket(body) {
    var ticketId = body.dataset.ticketId;
    if (!ticketId) return;
    socket("/ws/tickets/" + ticketId + "/", function (data) {
      if (data.verb && data.verb.indexOf("message.") === 0) refresh(body.dataset.threadUrl, "thread");
    });
  }

  function liveWallboard(body) {
    if (!body.dataset.wallboardUrl) return;
    socket("/ws/wallboard/", function (data) {
      if (data.type === "wallboard") refresh(body.dataset.wallboardUrl, "wallboard");
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
    heartbeat();
    shortcuts();
  });
})();
