/* In-place updates with htmx (vendor/htmx): the glue the pages need, from our own origin (the CSP allows no inline
   script and no eval). Every page works without it: forms and links go to the same URLs. */
(function () {
  "use strict";

  function problem(kind) {
    var box = document.getElementById("hx-problem");
    if (!box) { return; }
    // a live region that is always there (empty, it takes no room): its new text is read out at once
    box.textContent = box.getAttribute(kind === "offline" ? "data-offline" : "data-failed");
  }

  function clearProblem() {
    var box = document.getElementById("hx-problem");
    if (box && box.textContent) { box.textContent = ""; }
  }

  // Only an HTML answer is swapped into a page: a refusal the page explains (403 need to know, 409, 422) is HTML;
  // a JSON error (a refused parameter, a role refused) is a problem shown.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var type = event.detail.xhr.getResponseHeader("Content-Type") || "";
    if (event.detail.shouldSwap && type.indexOf("text/html") !== 0) {
      event.detail.shouldSwap = false;
      event.detail.isError = true;
    }
  });
  document.addEventListener("htmx:responseError", function () { problem("failed"); });
  document.addEventListener("htmx:sendError", function () { problem("offline"); });

  // The region being updated is busy for assistive technologies while the answer comes.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.setAttribute) { target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.removeAttribute) { target.removeAttribute("aria-busy"); }
    if (event.detail.successful) { clearProblem(); }
  });
})();
