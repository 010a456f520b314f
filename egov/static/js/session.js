/* The idle warning and the screen that clears itself (pages of a signed-in session only).
 *
 * The server is the clock: every decision asks it how long the session has left
 * (GET data-status-url, which is not itself activity), so all the tabs of one session
 * agree, and a request made in any tab counts for all. Tabs also tell each other at
 * once (BroadcastChannel) when one renews, is used or signs out.
 *
 * Before the end (data-warning seconds) a modal dialog takes the focus: «Davam et»,
 * or Escape, renews the session on the server; «Çıxış» signs out. Its text comes from
 * the server and is asked again at most once a minute, so a screen reader is not
 * flooded. At the end the page is replaced by the signed-out page, which shows no
 * personal data and offers to sign in again where the citizen was.
 */
(function () {
  "use strict";
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("egov-session") : null;
  if (document.currentScript && document.currentScript.hasAttribute("data-signed-out")) {
    // The first page after signing out: the other tabs still show the citizen's data.
    if (channel) { channel.postMessage({ type: "ended" }); }
    return;
  }
  var dialog = document.getElementById("session-warning");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var data = dialog.dataset;
  var warningMs = parseFloat(data.warning) * 1000;
  var text = document.getElementById("session-warning-text");
  var endsAt = document.getElementById("session-ends-at");
  var continueButton = document.getElementById("session-continue");
  var clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Baku", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  var timer = null;
  var leaving = false;

  function tell(type, remaining) {
    if (channel) { channel.postMessage({ type: type, remaining: remaining }); }
  }

  function schedule(remaining) {
    clearTimeout(timer);
    var end = Date.now() + remaining * 1000;
    if (endsAt) {
      endsAt.dateTime = new Date(end).toISOString();
      endsAt.textContent = clock.format(end);
    }
    timer = setTimeout(check, Math.max(remaining * 1000 - warningMs, 0) + 250);
  }

  function ask(renew) {
    var options = { method: renew ? "POST" : "GET", credentials: "same-origin",
                    headers: { "Accept": "application/json" } };
    if (renew) { options.headers["X-CSRFToken"] = data.csrf; }
    return fetch(renew ? data.renewUrl : data.statusUrl, options).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  function clearScreen() {
    if (leaving) { return; }
    leaving = true;
    clearTimeout(timer);
    tell("ended");
    var here = location.pathname + location.search;
    // replace(): the page with personal data leaves the history too.
    location.replace(data.endedUrl + "?next=" + encodeURIComponent(here));
  }

  function closeWarning() {
    if (dialog.open) { dialog.close(); }
  }

  function warn(status) {
    if (text.textContent !== status.message) { text.textContent = status.message; }
    if (!dialog.open) {
      dialog.showModal();
      continueButton.focus();
    }
    clearTimeout(timer);
    timer = setTimeout(check, Math.min(60000, status.remaining * 1000 + 500));
  }

  function follow(status) {
    if (!status.signed_in || status.remaining <= 0) { clearScreen(); return; }
    if (status.remaining * 1000 > warningMs + 1000) {
      closeWarning();
      schedule(status.remaining);
    } else {
      warn(status);
    }
  }

  function check() {
    ask(false).then(follow).catch(function () {
      clearTimeout(timer);
      timer = setTimeout(check, 5000);  // the network blinked: ask again soon
    });
  }

  function renew() {
    ask(true).then(function (status) {
      follow(status);
      if (status.signed_in) { tell("renewed", status.remaining); }
    }).catch(check);
  }

  continueButton.addEventListener("click", renew);
  dialog.addEventListener("cancel", function (event) {  // Escape continues, as the button does
    event.preventDefault();
    renew();
  });

  // An htmx swap is activity: the server says, in a header, how long the session now has.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var remaining = xhr && xhr.getResponseHeader("X-Session-Remaining");
    if (remaining) {
      schedule(parseFloat(remaining));
      tell("used", parseFloat(remaining));
    }
  });

  if (channel) {
    channel.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "ended") { check(); }
      else if (typeof message.remaining === "number") { follow({
        signed_in: true, remaining: message.remaining, message: text.textContent }); }
    };
  }

  // Timers sleep in background tabs and in a page restored by Back: ask again when seen.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { check(); }
  });
  window.addEventListener("pageshow", function (event) {
    // A copy from the back-forward cache must not show a signed-out citizen's data.
    if (event.persisted) { location.reload(); }
  });

  schedule(parseFloat(data.remaining));
}());
