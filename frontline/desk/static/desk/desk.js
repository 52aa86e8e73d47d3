/* Frontline desk: live updates over the existing websockets, the lists' live badges and bulk
 * selection, the notification bell, offer alerts, keyboard shortcuts.
 *
 * No inline scripts and no eval (the Content-Security-Policy forbids them): everything here reads
 * data- attributes that the server rendered. Works without htmx (fetch + plain forms). */
(function () {
  "use strict";

  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var body = document.body;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: data || new FormData(),
    });
  }

  function getHtml(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; });
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

  function refresh(url, targetId, then) {
    getHtml(url).then(function (html) {
      var target = document.getElementById(targetId);
      if (html !== null && target) {
        target.innerHTML = html;
        enhance(target);
        if (then) then(target);
      }
    });
  }

  /* --- Times: relative times and SLA countdowns, in the page's language ------------------- */

  var lang = document.documentElement.lang || "en";
  var relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" }) : null;

  function relativeText(date) {
    var seconds = Math.round((date.getTime() - Date.now()) / 1000);
    var abs = Math.abs(seconds);
    if (!relative) return null;
    if (abs < 45) return relative.format(0, "second");
    if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
    if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
    if (abs < 86400 * 30) return relative.format(Math.round(seconds / 86400), "day");
    return null; // older: the absolute date the server wrote stays
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function durationText(ms) {
    var late = ms < 0;
    var total = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(total / 1440);
    var hours = Math.floor((total % 1440) / 60);
    var minutes = total % 60;
    var text;
    if (days) text = fill(body.dataset.tDh || "{d} d {h} h", { d: days, h: hours });
    else if (hours) text = fill(body.dataset.tHmin || "{h} h {m} min", { h: hours, m: minutes < 10 ? "0" + minutes : minutes });
    else text = fill(body.dataset.tMin || "{m} min", { m: minutes });
    return late ? fill(body.dataset.tLate || "late {duration}", { duration: text }) : text;
  }

  var SLA_KINDS = ["sla-ok", "sla-risk", "sla-breached"];

  function tickTimes(root) {
    each((root || document).querySelectorAll("time[data-relative]"), function (el) {
      var text = relativeText(new Date(el.getAttribute("datetime")));
      if (text) el.textContent = text;
    });
    each((root || document).querySelectorAll(".sla-badge[data-due]"), function (badge) {
      var state = badge.dataset.slaState;
      if (!badge.dataset.due || (state !== "running" && state !== "breached")) return;
      var due = Date.parse(badge.dataset.due);
      var risk = Date.parse(badge.dataset.atRisk || "");
      var now = Date.now();
      var kind = state === "breached" || due <= now ? "sla-breached" : (!isNaN(risk) && risk <= now ? "sla-risk" : "sla-ok");
      SLA_KINDS.forEach(function (k) { badge.classList.toggle(k, k === kind); });
      var text = badge.querySelector("[data-sla-text]");
      if (text) text.textContent = durationText(due - now);
    });
  }

  /* --- Lists: select all, the bulk bar's count, j/k/x ------------------------------------- */

  function bulkSelection(root) {
    each(root.querySelectorAll("form[data-bulk]"), function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      var all = form.querySelector("[data-select-all]");
      var rows = form.querySelectorAll("[data-select-row]");
      var count = form.querySelector("[data-selected-count]");
      function update() {
        var n = 0;
        each(rows, function (box) {
          if (box.checked) n += 1;
          var row = box.closest("tr");
          if (row) row.classList.toggle("is-selected", box.checked);
        });
        if (count) count.textContent = fill(count.dataset.template || "{count}", { count: n });
        if (all) {
          all.checked = n > 0 && n === rows.length;
          all.indeterminate = n > 0 && n < rows.length;
        }
      }
      if (all) all.addEventListener("change", function () {
        each(rows, function (box) { box.checked = all.checked; });
        update();
      });
      each(rows, function (box) { box.addEventListener("change", update); });
      update();
    });
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
        if (current === -1) {
          var here = document.querySelector("[data-ticket-row] a[aria-current=page]");
          next = here ? Math.min(Math.max(links.indexOf(here) + (event.key === "j" ? 1 : -1), 0), links.length - 1) : 0;
        }
        links[next].focus();
        event.preventDefault();
      } else if (event.key === "x" && current !== -1) {
        var box = links[current].closest("[data-ticket-row]").querySelector("[data-select-row]");
        if (box) {
          box.checked = !box.checked;
          box.dispatchEvent(new Event("change"));
          event.preventDefault();
        }
      } else if (event.key === "r") {
        var reply = document.getElementById("reply-body");
        if (reply) {
          reply.focus();
          event.preventDefault();
        }
      }
    });
  }

  /* --- The ticket page: the inbox beside it, send-and-set-status, others on the ticket ---- */

  function rail() {
    var nav = document.getElementById("rail");
    if (body.dataset.listQuery !== undefined) { // an inbox: the ticket pages opened from it list it
      try { sessionStorage.setItem("deskList", body.dataset.listQuery); } catch (e) { /* private mode */ }
    }
    if (!nav) return;
    var query = "";
    try { query = sessionStorage.getItem("deskList") || ""; } catch (e) { query = ""; }
    var url = nav.dataset.railUrl + "?" + (query ? query + "&" : "") + "current=" + encodeURIComponent(nav.dataset.current);
    if (getComputedStyle(nav).display === "none") return; // narrow screen: no list beside the ticket
    refresh(url, "rail", function (target) {
      var here = target.querySelector("a[aria-current=page]");
      if (here && here.scrollIntoView) here.scrollIntoView({ block: "nearest" });
    });
  }

  function sendAndSet() {
    var select = document.querySelector("[data-then-status]");
    if (!select) return;
    var button = document.querySelector("[data-send-label]");
    var text = button && button.querySelector("[data-send-text]");
    if (!text) return;
    var plain = text.textContent;
    function update() {
      var option = select.options[select.selectedIndex];
      text.textContent = select.value ? fill(button.dataset.sendLabel, { status: option.textContent }) : plain;
    }
    select.addEventListener("change", update);
    update();
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

  function liveTicket() {
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

  function liveWallboard() {
    if (!body.dataset.wallboardUrl) return;
    socket("/ws/wallboard/", function (data) {
      if (data.type === "wallboard") refresh(body.dataset.wallboardUrl, "wallboard");
    });
  }

  /* --- Offers: the strip under the top bar, countdown, sound, browser notification, tab title */

  var baseTitle = document.title;

  function alertsWanted() {
    try { return localStorage.getItem("deskOfferAlerts") === "on"; } catch (e) { return false; }
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      var ctx = new Context();
      [0, 0.25].forEach(function (start) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + start);
        osc.stop(ctx.currentTime + start + 0.22);
      });
      body.dataset.lastSound = String(Date.now());
    } catch (e) { /* no audio device */ }
  }

  function announce(offer) {
    if (!alertsWanted()) return;
    beep();
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var heading = offer.querySelector("h2");
    var customer = offer.querySelector("[data-offer-customer]");
    try {
      var shown = new Notification(heading ? heading.textContent : body.dataset.tOfferTitle, {
        body: customer ? customer.textContent.trim() : "",
        tag: "offer-" + offer.dataset.offer,
        requireInteraction: true,
      });
      shown.onclick = function () { window.focus(); shown.close(); };
      body.dataset.lastNotification = offer.dataset.offer;
    } catch (e) { /* the browser refused */ }
  }

  function countdowns(slot) {
    each(slot.querySelectorAll("[data-offer]"), function (offer) {
      var expires = Date.parse(offer.dataset.expiresAt || "");
      var label = offer.querySelector("[data-countdown]");
      if (isNaN(expires) || !label) return;
      var left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      label.textContent = (offer.dataset.countdownText || "{seconds} s").replace("{seconds}", String(left));
      label.dataset.secondsLeft = String(left);
      if (left === 0) {
        offer.querySelector("[data-expired]").hidden = false;
        each(offer.querySelectorAll("button"), function (b) { b.disabled = true; });
      }
    });
  }

  function silentCall(root) {
    each(root.querySelectorAll("[data-silent-call-start]"), function (button) {
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
          each(steps, function (step) {
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

  var seenOffers = {};

  function loadOffers() {
    var slot = document.getElementById("offers");
    if (!slot) return;
    getHtml(slot.dataset.offersUrl).then(function (html) {
      if (html === null) return;
      slot.innerHTML = html.trim();
      each(slot.querySelectorAll("[data-offer-next]"), function (input) {
        input.value = location.pathname + location.search;
      });
      countdowns(slot);
      silentCall(slot);
      var waiting = slot.querySelectorAll("[data-offer]");
      document.title = waiting.length ? fill(body.dataset.tOffers || "({count})", { count: waiting.length }) + " " + baseTitle : baseTitle;
      each(waiting, function (offer) {
        if (seenOffers[offer.dataset.offer]) return;
        seenOffers[offer.dataset.offer] = true;
        announce(offer);
      });
      var first = slot.querySelector("[data-offer] button.btn-primary, [data-offer] button.primary");
      if (first && waiting.length && !slot.contains(document.activeElement) && !isTyping(document.activeElement)) first.focus();
    });
  }

  /* --- The bell and the agent's own state, both over ws/me/ ------------------------------- */

  function setBell(count) {
    var badge = document.getElementById("bell-count");
    if (!badge) return;
    badge.dataset.count = String(Math.max(0, count));
    badge.firstChild.nodeValue = String(Math.max(0, count));
    badge.hidden = count <= 0;
  }

  function bellCount() {
    var badge = document.getElementById("bell-count");
    return badge ? parseInt(badge.dataset.count || "0", 10) : 0;
  }

  function loadBell() {
    var bell = document.getElementById("bell");
    if (!bell) return;
    refresh(bell.dataset.panelUrl, "bell-panel", function (panel) {
      var list = panel.querySelector("[data-unread]");
      if (list) setBell(parseInt(list.dataset.unread, 10));
    });
  }

  function bell() {
    var root = document.getElementById("bell");
    if (!root) return;
    root.addEventListener("show.bs.dropdown", loadBell);
    // Mark read without leaving the page; following a notification's link marks it read on the way.
    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("[data-mark-read], [data-mark-all-read]")) return;
      event.preventDefault();
      post(form.action, new FormData(form)).then(loadBell);
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-read-url]");
      if (link && link.closest("li.is-unread")) post(link.dataset.readUrl);
    });
  }

  function liveMe() {
    var slot = document.getElementById("offers");
    var presence = document.getElementById("presence-now");
    socket("/ws/me/", function (data) {
      if (data.type === "notification") {
        setBell(bellCount() + 1);
        var menu = document.getElementById("bell-panel");
        if (menu && menu.classList.contains("show")) loadBell();
        body.dataset.lastNotificationId = String(data.id);
      }
      if (data.type === "routing" && data.target_type === "interaction") loadOffers();
      if (data.type === "routing" && data.target_type === "user" && presence) {
        refresh(presence.dataset.badgeUrl, "presence-now");
      }
    }, function () {
      if (slot) slot.dataset.live = "connected";
      body.dataset.live = "connected";
      loadOffers(); // anything offered while the socket was down
    });
    if (slot) setInterval(function () { countdowns(slot); }, 1000);
  }

  function heartbeat() {
    if (!document.getElementById("presence-now")) return;
    setInterval(function () { post("/desk/presence/heartbeat/"); }, 30000);
  }

  /* --- Profile: offer alerts on this browser (opt-in) --------------------------------------- */

  function alertSettings() {
    var box = document.querySelector("[data-offer-alerts]");
    if (!box) return;
    var status = document.querySelector("[data-offer-alerts-status]");
    box.checked = alertsWanted();
    function say() {
      if (!status) return;
      var permission = "Notification" in window ? Notification.permission : "unsupported";
      status.textContent = status.dataset["t" + permission.charAt(0).toUpperCase() + permission.slice(1)] || "";
    }
    box.addEventListener("change", function () {
      try { localStorage.setItem("deskOfferAlerts", box.checked ? "on" : "off"); } catch (e) { /* private mode */ }
      if (box.checked && "Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().then(say);
      }
      if (box.checked) beep();
      say();
    });
    var test = document.querySelector("[data-offer-alerts-test]");
    if (test) test.addEventListener("click", beep);
    say();
  }

  /* --- The supervisor console: each agent's actions open a confirmation dialog ------------- */

  function agentActions() {
    var dialog = document.getElementById("agent-action-dialog");
    if (!dialog || !window.bootstrap) return; // without Bootstrap's script the links open a page
    var modal = new window.bootstrap.Modal(dialog);
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-agent-action]");
      if (!link) return;
      event.preventDefault();
      getHtml(link.href).then(function (html) {
        if (html === null) { location.href = link.href; return; }
        document.getElementById("agent-action-body").innerHTML = html;
        modal.show();
      });
    });
    dialog.addEventListener("shown.bs.modal", function () {
      var first = dialog.querySelector("select, button[type=submit]");
      if (first) first.focus();
    });
  }

  /* Parts fetched later (the rail, the bell, the thread) get the same behaviour as the page. */
  function enhance(root) {
    tickTimes(root);
    bulkSelection(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    setInterval(function () { tickTimes(document); }, 15000);
    rail();
    sendAndSet();
    liveTicket();
    liveWallboard();
    bell();
    liveMe();
    silentCall(document);
    heartbeat();
    shortcuts();
    alertSettings();
    agentActions();
  });
})();
