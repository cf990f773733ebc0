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
})();
