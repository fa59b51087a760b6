// Keyboard navigation of the search page: "/" query box, j/k results, n/p pages, Esc leaves the box.
// Served from 'self' (the Content-Security-Policy forbids inline scripts); reads no page text.
(function () {
  "use strict";
  var current = -1;
  function hits() { return Array.prototype.slice.call(document.querySelectorAll("#hits .hit")); }
  function mark(i) {
    var all = hits();
    all.forEach(function (h) { h.classList.remove("selected"); });
    all[i].classList.add("selected");
    current = i;
  }
  function select(i) {
    var all = hits();
    if (!all.length) { return; }
    i = Math.max(0, Math.min(all.length - 1, i));
    mark(i);
    all[i].querySelector("a.title").focus();
  }
  function follow(rel) {
    var link = document.querySelector("a[rel=" + rel + "]");
    if (link) { window.location.href = link.href; }
  }
  document.addEventListener("focusin", function (e) {
    var i = hits().findIndex(function (h) { return h.contains(e.target); });
    if (i >= 0) { mark(i); }
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (typing) {
      if (e.key === "Escape") { t.blur(); }
      return;
    }
    if (e.key === "/") {
      e.preventDefault();
      var q = document.querySelector("input[name=q]");
      q.focus();
      q.select();
    } else if (e.key === "j") {
      e.preventDefault(); select(current + 1);
    } else if (e.key === "k") {
      e.preventDefault(); select(current - 1);
    } else if (e.key === "n") {
      follow("next");
    } else if (e.key === "p") {
      follow("prev");
    }
  });
})();
