// Keeps a project's page current. The WebSocket (htmx ws extension) pushes out-of-band partials;
// while it cannot connect, a poller fetches the same partials from the snapshot URL.
(function () {
  "use strict";

  // How long a socket that worked before may stay down before polling starts.
  var GRACE_MS = 4000;

  function liveRoot(event) {
    return event.target.closest && event.target.closest("[data-live]");
  }

  function startPolling(root) {
    root.liveTimer = null;
    if (root.livePoller) return;
    var template = root.querySelector("template[data-live-poller]");
    root.livePoller = template.content.firstElementChild.cloneNode(true);
    root.appendChild(root.livePoller);
    htmx.process(root.livePoller);
    root.querySelector("[data-live-status]").hidden = false;
    root.dataset.state = "polling";
  }

  function stopPolling(root) {
    clearTimeout(root.liveTimer);
    root.liveTimer = null;
    if (root.livePoller) {
      // htmx stops an `every` trigger once its element has left the page.
      root.livePoller.remove();
      root.livePoller = null;
    }
    root.querySelector("[data-live-status]").hidden = true;
    root.dataset.state = "open";
  }

  function scheduleFallback(root, delay) {
    if (root.livePoller) return;
    if (delay === 0) {
      clearTimeout(root.liveTimer);
      startPolling(root);
    } else if (!root.liveTimer) {
      root.liveTimer = setTimeout(function () { startPolling(root); }, delay);
    }
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    var root = liveRoot(event);
    if (!root) return;
    root.liveOpened = true;
    stopPolling(root);
  });

  // A handshake that hangs is treated like one that failed, after the grace period.
  document.addEventListener("htmx:wsConnecting", function (event) {
    var root = liveRoot(event);
    if (root) scheduleFallback(root, GRACE_MS);
  });

  ["htmx:wsClose", "htmx:wsError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var root = liveRoot(event);
      if (root) scheduleFallback(root, root.liveOpened ? GRACE_MS : 0);
    });
  });
})();
