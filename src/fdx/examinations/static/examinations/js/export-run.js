// Follows a findings export prepared in the background: while it runs, reads its status (a small JSON
// document of this node) every two seconds and fills in the numbers; when it has ended, reloads the page,
// which then shows the download link or the error. Without this script the page shows the state when loaded.
(function () {
  "use strict";
  function follow(section) {
    var url = section.getAttribute("data-status-url");
    var bar = section.querySelector("progress");
    function show(status) {
      Array.prototype.forEach.call(section.querySelectorAll("[data-field]"), function (element) {
        var value = status[element.getAttribute("data-field")];
        element.textContent = value === null || value === undefined ? "\u2014" : String(value);
      });
      if (bar && status.percent !== null) { bar.value = status.percent; }
    }
    function poll() {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.setRequestHeader("Accept", "application/json");
      request.onload = function () {
        if (request.status !== 200) { return; }
        var status = JSON.parse(request.responseText);
        show(status);
        if (status.active) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      };
      request.onerror = function () { window.setTimeout(poll, 2000); };
      request.send();
    }
    window.setTimeout(poll, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("#export-run[data-active]");
    if (section) { follow(section); }
  });
})();
