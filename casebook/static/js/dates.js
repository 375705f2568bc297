/* Dates as yyyy-mm-dd in every browser and language (core.forms.IsoDateInput).
 *
 * The fields are text inputs showing ISO dates; a calendar button next to each opens the
 * browser's own picker on a hidden native input and writes the choice back as yyyy-mm-dd
 * (or yyyy-mm-dd hh:mm). What an officer types is tidied on leaving the field: 2026/3/4 and
 * 2026.3.4 become 2026-03-04. No inline script (CSP). */
(function () {
  "use strict";
  function pad(n) { return (n.length < 2 ? "0" : "") + n; }

  function tidy(value, withTime) {
    var m = /^\s*(\d{4})\D(\d{1,2})\D(\d{1,2})(?:\D+(\d{1,2}):(\d{2}))?\s*$/.exec(value);
    if (!m) { return value; }
    var out = m[1] + "-" + pad(m[2]) + "-" + pad(m[3]);
    if (withTime && m[4] !== undefined) { out += " " + pad(m[4]) + ":" + m[5]; }
    return out;
  }

  function enhance(input) {
    if (input.hasAttribute("data-iso-ready")) { return; }
    input.setAttribute("data-iso-ready", "1");
    var withTime = input.getAttribute("data-iso") === "datetime";
    var native = document.createElement("input");
    native.type = withTime ? "datetime-local" : "date";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    native.className = "cb-iso-native";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.setAttribute("aria-label", input.getAttribute("data-iso-label") || "📅");
    button.setAttribute("data-iso-open", "");
    button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
    var group = document.createElement("div");
    group.className = "input-group cb-iso-group" +
      (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    group.appendChild(button);
    group.appendChild(native);
    button.addEventListener("click", function () {
      var value = tidy(input.value, withTime);
      native.value = withTime ? value.replace(" ", "T") : value;
      if (typeof native.showPicker === "function") {
        try { native.showPicker(); return; } catch (e) { /* not allowed: focus instead */ }
      }
      native.focus();
    });
    native.addEventListener("change", function () {
      if (native.value) {
        input.value = withTime ? native.value.replace("T", " ").slice(0, 16) : native.value;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    input.addEventListener("blur", function () { input.value = tidy(input.value, withTime); });
  }

  function enhanceAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-iso]");
    for (var i = 0; i < inputs.length; i++) { enhance(inputs[i]); }
  }

  enhanceAll(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { enhanceAll(event.target); });
})();
