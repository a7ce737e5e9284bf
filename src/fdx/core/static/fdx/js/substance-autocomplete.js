// Suggests registry substances (Russian or English names, any spelling) while a name is typed.
// Without this script the field still works: the server resolves the typed name exactly.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    input.addEventListener("input", function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (text.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/api/v1/substances?limit=15&q=" + encodeURIComponent(text), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {items: []}; })
          .then(function (body) {
            list.innerHTML = "";
            body.items.forEach(function (item) {
              [item.name_en, item.name_ru].forEach(function (name) {
                if (!name) { return; }
                var option = document.createElement("option");
                option.value = name;
                list.appendChild(option);
              });
            });
          });
      }, 200);
    });
  }
  document.querySelectorAll("input[data-autocomplete=substances]").forEach(attach);
})();
