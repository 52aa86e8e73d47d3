// Suggest help articles while the visitor types a subject. Without JavaScript the
// "Search help first" button does the same through a full page.
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  if (!form) { return; }
  var subject = form.querySelector("#id_subject");
  var box = document.getElementById("suggestions");
  var url = form.getAttribute("data-suggest-url");
  if (!subject || !box || !url) { return; }
  var timer = null;
  var last = "";
  var pending = null;
  function load() {
    var q = subject.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 3) { box.innerHTML = ""; return; }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url + "?q=" + encodeURIComponent(q), { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (q === last) { box.innerHTML = html; } })
      .catch(function () { /* a newer request replaced this one, or the network failed: keep the form usable */ });
  }
  subject.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 300);
  });
}());
