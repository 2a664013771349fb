// Site owners' pages: the live preview of unsaved settings, and the embed code's copy button.
(function () {
  "use strict";

  function livePreview(form) {
    var frame = document.getElementById(form.getAttribute("data-preview-frame"));
    if (!frame) return;
    var base = frame.getAttribute("data-preview-url");
    var timer = 0;
    function refresh() {
      var data = new FormData(form);
      data.delete("csrfmiddlewaretoken");
      var query = new URLSearchParams(data).toString();
      var url = base + "?" + query;
      if (frame.getAttribute("src") !== url) frame.setAttribute("src", url);
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    form.addEventListener("change", refresh);
  }

  function copyButton(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    button.addEventListener("click", function () {
      var text = source.value || source.textContent;
      function done(message) {
        if (status) status.textContent = message;
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(
          function () { done("Copied."); },
          function () { source.select(); done("Selected: press Ctrl+C (⌘C) to copy."); },
        );
      } else {
        source.select();
        done("Selected: press Ctrl+C (⌘C) to copy.");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-preview-frame]");
    if (form) livePreview(form);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
  });
})();
