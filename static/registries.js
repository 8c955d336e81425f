// Registry pages: show each <time data-local> in the reader's own time zone (the server writes UTC).
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  document.querySelectorAll("time[data-local]").forEach(function (element) {
    if (element.dataset.localised) { return; }
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    element.title = element.textContent;  // the UTC time stays readable on hover
    element.textContent = format.format(moment);
    element.dataset.localised = "1";
  });
})();
