// Live countdowns for <time data-countdown datetime="...Z">; the server renders the text first.
(function () {
  function text(ms) {
    if (ms <= 0) return "closed";
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d) return d + " day" + (d === 1 ? "" : "s") + " " + h + " h left";
    if (h) return h + " h " + m + " min left";
    return m + " min " + sec + " s left";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(end)) {
        el.textContent = text(end - now);
        el.title = "Your local time: " + new Date(end).toLocaleString();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
