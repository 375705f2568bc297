/* Subject pickers (casebook/subjects/widgets.py): choose subjects from search results instead of
   a list of every subject. htmx fetches the results; this file turns a chosen result into a chip
   holding a hidden input, removes chips, and gives the keyboard its way round. No inline script
   (CSP), no HTML built from text: names are set with textContent. */
(function () {
  "use strict";

  function parts(el) {
    var box = el.closest("[data-picker]");
    if (!box) { return null; }
    return {
      box: box,
      input: box.querySelector("[data-picker-input]"),
      results: box.querySelector("[data-picker-results]"),
      chips: box.querySelector("[data-picker-chips]")
    };
  }

  function close(p) {
    p.results.textContent = "";
    p.input.setAttribute("aria-expanded", "false");
  }

  function chip(p, pk, name, kind) {
    var label = p.box.getAttribute("data-remove-label") || "Remove";
    var span = document.createElement("span");
    span.className = "badge rounded-pill text-bg-light border cb-picker-chip";
    span.setAttribute("data-picker-chip", "");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = p.box.getAttribute("data-name");
    hidden.value = pk;
    var strong = document.createElement("span");
    strong.className = "fw-semibold";
    strong.textContent = name;
    var small = document.createElement("span");
    small.className = "text-muted fw-normal";
    small.textContent = kind;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close";
    remove.setAttribute("data-picker-remove", "");
    remove.setAttribute("aria-label", label + " " + name);
    span.append(hidden, strong, " ", small, remove);
    return span;
  }

  function choose(button) {
    var p = parts(button);
    if (!p) { return; }
    var pk = button.getAttribute("data-pick");
    var taken = Array.prototype.some.call(
      p.chips.querySelectorAll("input[type=hidden]"),
      function (input) { return input.value === pk; }
    );
    if (p.box.getAttribute("data-multiple") !== "1") {
      p.chips.textContent = "";
      taken = false;
    }
    if (!taken) {
      p.chips.appendChild(chip(p, pk, button.getAttribute("data-pick-name"),
        button.getAttribute("data-pick-kind") || ""));
    }
    p.input.value = "";
    close(p);
    p.input.focus();
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick]");
    if (pick) {
      event.preventDefault();
      choose(pick);
      return;
    }
    var remove = event.target.closest("[data-picker-remove]");
    if (remove) {
      var p = parts(remove);
      event.preventDefault();
      remove.closest("[data-picker-chip]").remove();
      if (p) { p.input.focus(); }
      return;
    }
    document.querySelectorAll("[data-picker]").forEach(function (box) {
      if (!box.contains(event.target)) { close(parts(box)); }
    });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var p = parts(target);
    if (!p) { return; }
    var items = Array.prototype.slice.call(p.results.querySelectorAll("[data-pick]"));
    if (target === p.input) {
      if (event.key === "Enter") {  // never submit the whole form from the search box
        event.preventDefault();
        if (items.length) { choose(items[0]); }
        else if (p.input.value.trim()) { htmx.trigger(p.input, "search"); }
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        items[0].focus();
      } else if (event.key === "Escape") {
        close(p);
      }
      return;
    }
    var index = items.indexOf(target);
    if (index < 0) { return; }
    if (event.key === "ArrowDown" && index + 1 < items.length) {
      event.preventDefault();
      items[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? items[index - 1] : p.input).focus();
    } else if (event.key === "Escape") {
      close(p);
      p.input.focus();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var p = event.target.matches && event.target.matches("[data-picker-results]")
      ? parts(event.target) : null;
    if (p) {
      p.input.setAttribute("aria-expanded", p.results.children.length ? "true" : "false");
    }
  });
})();
