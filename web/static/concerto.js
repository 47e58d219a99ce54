// Concerto — the little script the pages use. Everything works without it: it only
// adds live character counters and the live session board's updates. It writes text
// with textContent, never as HTML.
(function () {
  "use strict";

  function counters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = document.getElementById(area.getAttribute("data-counter"));
      if (!out) { return; }
      var max = out.getAttribute("data-max") || area.getAttribute("maxlength") || "";
      var template = out.getAttribute("data-template") || "{used} / {max}";
      var update = function () {
        var used = Array.from(area.value).length;
        out.textContent = template.replace("{used}", String(used)).replace("{max}", max);
      };
      area.addEventListener("input", update);
      update();
    });
  }

  function liveBoard() {
    var board = document.querySelector("[data-stream]");
    if (!board || !window.EventSource) { return; }
    var list = board.querySelector("[data-live-list]");
    var count = board.querySelector("[data-live-count]");
    var source = new EventSource(board.getAttribute("data-stream"));
    source.addEventListener("update", function (event) {
      var update;
      try { update = JSON.parse(event.data); } catch (e) { return; }
      if (count) { count.textContent = String(update.count); }
      if (!list) { return; }
      while (list.firstChild) { list.removeChild(list.firstChild); }
      update.items.forEach(function (item) {
        var li = document.createElement("li");
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = item.kind + " · " + item.status + " · " + item.submitted;
        var text = document.createElement("p");
        text.textContent = item.text;
        li.appendChild(meta);
        li.appendChild(text);
        list.appendChild(li);
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  function focusErrors() {
    var summary = document.getElementById("erreurs");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    counters();
    liveBoard();
    focusErrors();
  });
})();
