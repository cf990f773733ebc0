// Small page behaviours that htmx does not cover.
(function () {
  // Enter sends a chat message; Shift+Enter makes a new line.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.shiftKey || !field.matches("[data-submit-on-enter]")) return;
    event.preventDefault();
    if (field.value.trim()) field.form.requestSubmit();
  });

  // Keep the newest chat message in view as it arrives or streams in.
  function scrollChat() {
    var thread = document.getElementById("chat-thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
  }
  document.addEventListener("htmx:afterSettle", scrollChat);
  document.addEventListener("htmx:oobAfterSwap", scrollChat);
  document.addEventListener("DOMContentLoaded", scrollChat);

  // A form marked data-reset-on-success empties once its request succeeded, unless the server
  // sent the form back (HX-Retarget) to say why it was refused. (No hx-on: the CSP forbids eval.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-reset-on-success]")) return;
    if (event.detail.successful && !event.detail.xhr.getResponseHeader("HX-Retarget")) form.reset();
  });

  // htmx swaps nothing when a request fails, so forms keep what the user typed; a toast says
  // what happened. A short text/plain body is the server's own message (a 503 while busy).
  var CONNECTION_LOST = "Connection lost — check your network and try again";
  var SERVER_ERROR = "Something went wrong on our side. Try again in a moment.";
  var ERROR_BY_STATUS = {
    403: "That is not allowed. Reload the page and try again.",
    404: "That is no longer here. Reload the page.",
    413: "That is too large to send.",
    429: "You're going a little fast. Try again in a moment.",
  };
  var MAX_MESSAGE_LENGTH = 300;

  function showToast(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-error";
    toast.setAttribute("role", "status");
    toast.textContent = text;
    toast.addEventListener("animationend", function () { toast.remove(); });
    region.appendChild(toast);
  }

  function responseMessage(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = (xhr.responseText || "").trim();
    if (type.indexOf("text/plain") === 0 && text && text.length <= MAX_MESSAGE_LENGTH) return text;
    return ERROR_BY_STATUS[xhr.status] || SERVER_ERROR;
  }

  document.addEventListener("htmx:responseError", function (event) {
    showToast(responseMessage(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showToast(CONNECTION_LOST);
  });
})();
