// Live countdowns for <time data-countdown datetime="...Z">; the server renders the text first.
// The words come from data-* attributes of this <script> tag, rendered in the page's language by
// the {% countdown_words %} tag (projects/templatetags/jitrack.py): no script catalogue needed.
(function () {
  var script = document.currentScript;
  var words = (script && script.dataset) || {};
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function fill(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }
  function dayFormat(d) {
    // data-days-one, data-days-few, data-days-many, data-days-other (CLDR plural categories).
    var category = plural ? plural.select(d) : d === 1 ? "one" : "other";
    var key = "days" + category.charAt(0).toUpperCase() + category.slice(1);
    return words[key] || words.daysOther || "%(days)s days %(hours)s h left";
  }
  function text(ms) {
    if (ms <= 0) return words.closed || "closed";
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60), sec = s % 60;
    var v = { days: d, hours: h, minutes: m, seconds: sec };
    if (d) return fill(dayFormat(d), v);
    if (h) return fill(words.hours || "%(hours)s h %(minutes)s min left", v);
    return fill(words.minutes || "%(minutes)s min %(seconds)s s left", v);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(end)) {
        el.textContent = text(end - now);
        el.title = fill(words.local || "Your local time: %(time)s", {
          time: new Date(end).toLocaleString(lang)
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
