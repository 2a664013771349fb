// The owner pages' widget preview (owner/preview.html): the real widget.js, given the unsaved settings
// that the page embeds instead of the saved ones, and no visitor session (nothing is stored for a preview).
(function () {
  "use strict";
  var config = document.getElementById("preview-config").textContent;
  var realFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input.url;
    if (/\/api\/widget\/sites\/[^/]+\/config$/.test(url)) {
      return Promise.resolve(new Response(config, { headers: { "Content-Type": "application/json" } }));
    }
    if (/\/api\/widget\/sites\/[^/]+\/session$/.test(url)) {
      // A preview never becomes a visitor: the widget waits here as if connecting.
      return new Promise(function () {});
    }
    return realFetch(input, init);
  };
  // Shown open, without taking the focus from the settings form (a panel restored open never does).
  var own = document.currentScript;
  var siteKey = own.getAttribute("data-site");
  try {
    // The config a page view saves for the next one would show the previous preview's settings first.
    localStorage.removeItem("parley:" + siteKey + ":config");
    sessionStorage.setItem("parley:" + siteKey + ":open", "1");
  } catch (error) {
    // Storage blocked: the preview starts closed; its launcher opens it.
  }
  // The widget's script, exactly as the embed code loads it, once the stand-ins above are in place.
  var widget = document.createElement("script");
  widget.async = true;
  widget.src = own.getAttribute("data-widget");
  widget.setAttribute("data-site", siteKey);
  document.head.appendChild(widget);
})();
