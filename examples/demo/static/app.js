// Berth demo guestbook: small progressive enhancements. The page works without this file.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // Live character counter for any textarea with data-counter="<id of output element>".
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = document.getElementById(area.getAttribute("data-counter"));
      var max = parseInt(area.getAttribute("maxlength"), 10) || 0;
      if (!out || !max) return;
      function update() {
        var left = max - area.value.length;
        out.textContent = left + " character" + (left === 1 ? "" : "s") + " left";
        out.classList.toggle("near-limit", left <= Math.min(50, max / 10));
      }
      area.addEventListener("input", update);
      update();
    });

    // Ctrl/Cmd+Enter submits the form; disable the button to avoid double posts.
    document.querySelectorAll("form.sign-form").forEach(function (form) {
      form.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) {
          button.disabled = true;
          button.textContent = "Signing…";
        }
      });
    });

    // Show message times in the reader's local time zone.
    document.querySelectorAll(".entry time").forEach(function (el) {
      var m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC$/.exec(el.textContent);
      if (!m) return;
      var d = new Date(m[1] + "T" + m[2] + ":00Z");
      if (!isNaN(d)) {
        el.title = el.textContent;
        el.textContent = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      }
    });
  });
})();
