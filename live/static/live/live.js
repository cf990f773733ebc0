// Keeps a project's page current. The WebSocket (htmx ws extension) pushes out-of-band partials;
// while it cannot connect, a poller fetches the same partials from the snapshot URL. When the
// session ends (the socket closes with SIGNED_OUT, or the poller meets the login redirect) the
// page says so and stops. What the user typed into a form survives a trip through the login page.
(function () {
  "use strict";

  // How long a socket that worked before may stay down before polling starts.
  var GRACE_MS = 4000;
  // The consumer's close code for a socket whose session ended (live/consumers.py).
  var SIGNED_OUT = 4401;
  var DRAFT_PREFIX = "live-draft:";

  function liveRoot(event) {
    return event.target.closest && event.target.closest("[data-live]");
  }

  function startPolling(root) {
    root.liveTimer = null;
    if (root.livePoller || root.dataset.state === "signed-out") return;
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
  }

  function scheduleFallback(root, delay) {
    if (root.livePoller || root.dataset.state === "signed-out") return;
    if (delay === 0) {
      clearTimeout(root.liveTimer);
      startPolling(root);
    } else if (!root.liveTimer) {
      root.liveTimer = setTimeout(function () { startPolling(root); }, delay);
    }
  }

  function signedOut(root) {
    stopPolling(root);
    root.dataset.state = "signed-out";
    var login = root.querySelector("[data-live-login]");
    login.search = "?next=" + encodeURIComponent(location.pathname + location.search);
    root.querySelector("[data-live-signed-out]").hidden = false;
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    var root = liveRoot(event);
    if (!root) return;
    root.liveOpened = true;
    stopPolling(root);
    root.dataset.state = "open";
  });

  // A handshake that hangs is treated like one that failed, after the grace period.
  document.addEventListener("htmx:wsConnecting", function (event) {
    var root = liveRoot(event);
    if (root) scheduleFallback(root, GRACE_MS);
  });

  document.addEventListener("htmx:wsClose", function (event) {
    var root = liveRoot(event);
    if (!root) return;
    // The ws extension does not reconnect after an application close code like this one.
    if (event.detail.event.code === SIGNED_OUT) signedOut(root);
    else scheduleFallback(root, root.liveOpened ? GRACE_MS : 0);
  });

  document.addEventListener("htmx:wsError", function (event) {
    var root = liveRoot(event);
    if (root) scheduleFallback(root, root.liveOpened ? GRACE_MS : 0);
  });

  // A poll that meets the login redirect must not carry the page (and what is typed in it)
  // off to the login form: the page says it is signed out instead.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var root = liveRoot(event);
    if (root && event.detail.xhr.getResponseHeader("HX-Redirect")) {
      event.preventDefault();
      signedOut(root);
    }
  });

  // --- Swaps whose target is not on the page ------------------------------------------------
  // A push or a response can name a region the page does not show yet (it raced the action
  // that creates it) or any more (the page is being left). Such parts are dropped instead of
  // failing, and the page catches up from one snapshot, which renders every region it shows.

  var REFRESH_AFTER_MS = 300;

  function oobTarget(element) {
    var spec = element.getAttribute("hx-swap-oob");
    var colon = spec.indexOf(":");
    return colon >= 0 ? spec.slice(colon + 1) : "#" + element.id;
  }

  function refreshFromSnapshot() {
    var root = document.querySelector("[data-live]");
    if (!root || root.refreshTimer) return;
    root.refreshTimer = setTimeout(function () {
      root.refreshTimer = null;
      htmx.ajax("GET", root.dataset.snapshotUrl, { source: root, swap: "none" });
    }, REFRESH_AFTER_MS);
  }

  // The response without the parts whose target is missing, or null when none is.
  function withoutMissingTargets(text) {
    if (!text || text.indexOf("hx-swap-oob") < 0) return null;
    var template = document.createElement("template");
    template.innerHTML = text;
    var missing = Array.from(template.content.children).filter(function (element) {
      return element.hasAttribute("hx-swap-oob") && !document.querySelector(oobTarget(element));
    });
    if (!missing.length) return null;
    missing.forEach(function (element) { element.remove(); });
    refreshFromSnapshot();
    return template.innerHTML;
  }

  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    var kept = withoutMissingTargets(event.detail.message);
    if (kept === null) return;
    event.preventDefault();
    htmx.swap(document.body, kept, { swapStyle: "none" });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var kept = withoutMissingTargets(detail.serverResponse);
    if (kept !== null) detail.serverResponse = kept;
    // A push replaced the form that sent this request while it was in flight: htmx would look
    // for the response's out-of-band targets inside the detached form, so swap them here.
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (detail.shouldSwap && source && !document.body.contains(source)) {
      detail.shouldSwap = false;
      htmx.swap(document.body, detail.serverResponse, { swapStyle: "none" });
    }
  });

  // --- Drafts: a form's textareas are kept until its request has gone through. -------------

  function draftKey(form, field) {
    return DRAFT_PREFIX + location.pathname + "|" + form.getAttribute("action") + "|" + field.name;
  }

  function draftFields(elt) {
    var form = elt.closest && elt.closest("form");
    return form ? [form, form.querySelectorAll("textarea[name]")] : [null, []];
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var found = draftFields(event.detail.elt);
    found[1].forEach(function (field) {
      if (field.value) sessionStorage.setItem(draftKey(found[0], field), field.value);
    });
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    // A request sent to the login page (HX-Redirect) keeps its drafts for the way back.
    if (!event.detail.successful || event.detail.xhr.getResponseHeader("HX-Redirect")) return;
    var found = draftFields(event.detail.elt);
    found[1].forEach(function (field) { sessionStorage.removeItem(draftKey(found[0], field)); });
  });

  function restoreDrafts() {
    document.querySelectorAll("form textarea[name]").forEach(function (field) {
      var key = draftKey(field.form, field);
      var draft = sessionStorage.getItem(key);
      if (draft !== null && !field.value) field.value = draft;
      sessionStorage.removeItem(key);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restoreDrafts);
  else restoreDrafts();
})();
