// Shows only the regions of the chosen country in a region list (select[data-country-from] whose options
// carry data-country). Without this script every region shows, and the server refuses a region of another
// country, naming both.
(function () {
  "use strict";
  function attach(regions) {
    var countries = document.getElementById(regions.getAttribute("data-country-from"));
    if (!countries) { return; }
    // On load the region chosen stays, even of another country: a refused form keeps what was typed, and
    // the server's message beside it says what is wrong. A change of country then clears it.
    function filter(onLoad) {
      var country = countries.value;
      Array.prototype.forEach.call(regions.options, function (option) {
        var other = option.value !== "" && country !== "" && option.getAttribute("data-country") !== country;
        if (onLoad && option.selected) { other = false; }
        option.hidden = other;
        option.disabled = other;
        if (other && option.selected) { regions.value = ""; }
      });
    }
    countries.addEventListener("change", function () { filter(false); });
    filter(true);
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-country-from]"), attach);
  });
})();
