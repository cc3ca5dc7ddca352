(function () {
  var all = document.querySelectorAll(".s[data-g]");
  function mark(g, on) {
    document.querySelectorAll('.s[data-g="' + g + '"]').forEach(function (el) { el.classList.toggle("hl", on); });
  }
  all.forEach(function (el) {
    el.addEventListener("mouseenter", function () { mark(el.dataset.g, true); });
    el.addEventListener("mouseleave", function () { mark(el.dataset.g, false); });
    el.addEventListener("click", function () {
      var other = el.id.charAt(0) === "a" ? "#col-b" : "#col-a";
      var target = document.querySelector(other + ' .s[data-g="' + el.dataset.g + '"]');
      if (target) { target.scrollIntoView({behavior: "smooth", block: "center"}); }
    });
  });
})();
