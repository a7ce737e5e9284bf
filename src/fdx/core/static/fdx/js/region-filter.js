// Shows only the regions of the chosen country in a region list (select[data-country-from] whose options
// carry data-country). Without this script every region shows, and the server refuses a region of another
// country, naming both.
(function () {
  "use strict";
  function attach(regions) {
    var countries = document.getElementById(regions.getAttribute("data-country-from"));
    if (!countries) { return; }
    function filter() {
      var country = countries.value;
      Array.prototype.forEach.call(regions.options, function (option) {
        var other = option.value !== "" && country !== "" && option.getAttribute("data-country") !== country;
        option.hidden = other;
        option.disabled = other;
        if (other && option.selected) { regions.value = ""; }
      });
    }
    countries.addEventListener("change", filter);
    filter();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-country-from]"), attach);
  });
})();
