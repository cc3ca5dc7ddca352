// Linked highlighting on the story page: hovering a claim variant marks the versions that state it.
(function () {
  function rows(ids) {
    return ids.map(function (id) {
      return document.querySelectorAll('[data-member="' + CSS.escape(id) + '"]');
    });
  }
  document.querySelectorAll(".variant[data-versions]").forEach(function (el) {
    var ids = el.dataset.versions.split(" ").filter(Boolean);
    function mark(on) {
      el.classList.toggle("hl", on);
      rows(ids).forEach(function (list) { list.forEach(function (r) { r.classList.toggle("hl", on); }); });
    }
    el.addEventListener("mouseenter", function () { mark(true); });
    el.addEventListener("mouseleave", function () { mark(false); });
  });
  document.querySelectorAll("tr[data-member]").forEach(function (tr) {
    tr.addEventListener("mouseenter", function () { rows([tr.dataset.member]).forEach(function (l) { l.forEach(function (r) { r.classList.add("hl"); }); }); });
    tr.addEventListener("mouseleave", function () { rows([tr.dataset.member]).forEach(function (l) { l.forEach(function (r) { r.classList.remove("hl"); }); }); });
  });
})();
