// Small enhancements on top of pages that work without JavaScript.
// Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // The browser's time zone, for the server to show times in (ideas.zones): a cookie
  // read from the next request on. A zone chosen on the settings page wins over it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone) &&
        document.cookie.split("; ").indexOf("ideas_tz=" + zone) === -1) {
      document.cookie = "ideas_tz=" + zone + "; path=/; max-age=31536000; samesite=lax" +
        (location.protocol === "https:" ? "; secure" : "");
    }
  } catch (error) { /* no zone known: the site's is used */ }

  // Character counters for fields with data-maxlength: show how many are left, without
  // truncating what the person types or pastes. The shown count is not a live region
  // (it would speak at every key); a hidden one beside it speaks only when a threshold
  // is crossed: 100 left, 20 left, none left, over the limit, and back within it.
  // The words come from <body data-counter-…>, in the page's language.
  var THRESHOLDS = [100, 20, 0];

  function words(name, count) {
    var text = document.body.getAttribute("data-counter-" + name) || "";
    return count === undefined ? text : text.replace("{n}", count.toLocaleString());
  }

  function stage(left) {
    if (left < 0) return "over";
    for (var i = THRESHOLDS.length - 1; i >= 0; i--) {
      if (left <= THRESHOLDS[i]) return String(THRESHOLDS[i]);
    }
    return "";
  }

  function updateCounter(field) {
    var max = parseInt(field.getAttribute("data-maxlength"), 10);
    var counter = document.getElementById(field.id + "-count");
    if (!counter || !max) return;
    var left = max - field.value.length;
    counter.textContent = left >= 0 ? words("left", left) : words("over", -left);
    counter.classList.toggle("counter--over", left < 0);
    var now = stage(left);
    var before = field.dataset.counterStage || "";
    field.dataset.counterStage = now;
    var news = document.getElementById(field.id + "-count-news");
    if (!news || now === before) return;
    if (now === "over") news.textContent = words("say-over");
    else if (before === "over") news.textContent = words("say-back");
    else if (now && (before === "" || parseInt(now, 10) < parseInt(before, 10))) {
      news.textContent = words("say-" + now);
    }
  }

  function initCounters(root) {
    root.querySelectorAll("[data-maxlength]").forEach(function (field) {
      if (field.dataset.counterReady) return;
      field.dataset.counterReady = "1";
      var counter = document.getElementById(field.id + "-count");
      if (counter && !document.getElementById(field.id + "-count-news")) {
        var news = document.createElement("p");
        news.id = field.id + "-count-news";
        news.className = "visually-hidden";
        news.setAttribute("aria-live", "polite");
        counter.insertAdjacentElement("afterend", news);
      }
      field.dataset.counterStage = stage(
        parseInt(field.getAttribute("data-maxlength"), 10) - field.value.length);
      field.addEventListener("input", function () { updateCounter(field); });
      if (field.value) updateCounter(field);
    });
  }

  // After a form comes back with problems, move focus to the summary of them,
  // so keyboard and screen-reader users land where the problems are listed.
  function focusProblems(root) {
    var summary = root.querySelector && root.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  // Following an unread notification's link marks it read: a POST sent alongside
  // (kept alive while the browser leaves the page), as its "Mark as read" button
  // would. Without JavaScript the button does it; the link itself changes nothing.
  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("data-hx-headers:inherited") || "{}");
      return headers["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-mark-read]");
    if (!link) return;
    var token = csrfToken();
    if (!token) return;
    fetch(link.getAttribute("data-mark-read"), {
      method: "POST",
      headers: { "X-CSRF-Token": token },
      credentials: "same-origin",
      keepalive: true,
      redirect: "manual",
    }).catch(function () {});
  });

  // While a form sent by htmx is on its way, it is not sent again: a double click
  // or a second Enter sends it once. Its submit buttons say so (aria-disabled) but
  // are not made `disabled`, which would take the keyboard's focus off the button
  // that was pressed. (The server makes what a form makes once however often it
  // arrives; this only spares the second trip.) All comes back with the answer.
  var SENDING = "data-sending";

  // Only the form's own request counts: what a field or button inside it fetches
  // for the form (similar ideas as the title is typed, the parents picker, the
  // preview) must not hold back the form, or "Post the idea" pressed while similar
  // ideas are on their way would do nothing.
  function formOf(event) {
    var ctx = event.detail && event.detail.ctx;
    var source = ctx && ctx.sourceElement;
    return source && source.tagName === "FORM" ? source : null;
  }

  function submitButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type])");
  }

  // Before htmx hears of it: a form on its way swallows another submit.
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute(SENDING)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("htmx:before:request", function (event) {
    var form = formOf(event);
    if (!form) return;
    form.setAttribute(SENDING, "");
    submitButtons(form).forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
  });
  document.addEventListener("htmx:finally:request", function (event) {
    var form = formOf(event);
    if (!form) return;
    form.removeAttribute(SENDING);
    submitButtons(form).forEach(function (button) {
      button.removeAttribute("aria-disabled");
    });
  });

  // Live pages: a notice waiting for an event of the page's stream (data-live-reveal)
  // is shown when it comes. Parts that fetch themselves again listen with hx-trigger.
  // The stream element says whether it is connected (data-live="open"), for styles and tests.
  document.addEventListener("htmx:sse:after:connection", function (event) {
    event.target.setAttribute("data-live", "open");
  });
  document.addEventListener("htmx:sse:close", function (event) {
    event.target.setAttribute("data-live", "closed");
  });
  document.addEventListener("htmx:sse:error", function (event) {
    if (event.target.setAttribute) event.target.setAttribute("data-live", "closed");
  });
  // The SSE extension connects again by itself once a stream has been open, but a
  // first connection that fails (the network drops, the site is busy: 503) is an
  // ordinary request that nobody tries again, and the page would never be live.
  // Try again, waiting longer each time (from 1 s to a minute, with some jitter so
  // that many pages do not come back at once).
  var FIRST_RETRY_MS = 1000;
  var LONGEST_RETRY_MS = 60000;
  document.addEventListener("htmx:finally:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var stream = ctx && ctx.sourceElement;
    if (!stream || !stream.classList || !stream.classList.contains("live-stream")) return;
    if (stream.getAttribute("data-live") === "open" || !stream.isConnected) return;
    var tries = Number(stream.getAttribute("data-live-tries") || "0") + 1;
    stream.setAttribute("data-live-tries", String(tries));
    stream.setAttribute("data-live", "closed");
    var wait = Math.min(FIRST_RETRY_MS * Math.pow(2, tries - 1), LONGEST_RETRY_MS);
    wait = wait * (0.7 + 0.6 * Math.random());
    setTimeout(function () {
      if (!stream.isConnected || stream.getAttribute("data-live") === "open") return;
      htmx.ajax("GET", stream.getAttribute("data-hx-sse:connect"), { source: stream });
    }, wait);
  });
  document.addEventListener("htmx:sse:after:connection", function (event) {
    event.target.removeAttribute("data-live-tries");
  });
  document.addEventListener("htmx:sse:after:message", function (event) {
    var name = event.detail && event.detail.message && event.detail.message.event;
    if (!name) return;
    document.querySelectorAll("[data-live-reveal]").forEach(function (notice) {
      if (notice.getAttribute("data-live-reveal") === name) notice.hidden = false;
    });
  });

  // A lineage graph wider or taller than its frame scrolls inside it: start with the
  // idea itself in the middle of the frame rather than at its first corner.
  function centreLineage(root) {
    root.querySelectorAll(".lineage-graph__scroll").forEach(function (frame) {
      var current = frame.querySelector('[aria-current="page"]');
      if (!current) return;
      var outer = frame.getBoundingClientRect();
      var inner = current.getBoundingClientRect();
      frame.scrollLeft += (inner.left + inner.width / 2) - (outer.left + outer.width / 2);
      frame.scrollTop += (inner.top + inner.height / 2) - (outer.top + outer.height / 2);
    });
  }

  // Where focus goes when htmx replaces the part of the page that held it (otherwise it
  // falls to <body> and a keyboard or screen-reader user starts again from the top):
  // data-focus-after="SELECTOR" on what sends the request names the element to focus
  // (the list's heading after a sort or a search); data-focus-new on a "More" link in
  // a list item focuses the first item that took its place (the first new idea).
  function focusTarget(element) {
    if (!element) return null;
    if (element.matches("a[href], button, input, select, textarea, [tabindex]")) return element;
    return element.querySelector("h2 a[href], h3 a[href], a[href], button") || element;
  }

  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var source = ctx && ctx.sourceElement;
    if (!source || !source.closest) return;
    var after = source.closest("[data-focus-after]");
    if (after) ctx.focusAfter = after.getAttribute("data-focus-after");
    var more = source.closest("[data-focus-new]");
    var item = more && more.closest("li");
    if (item) ctx.focusNew = { list: item.parentElement, before: item.previousElementSibling };
  });
  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    if (!ctx) return;
    var element = null;
    if (ctx.focusNew) {
      var before = ctx.focusNew.before;
      element = focusTarget(before && before.isConnected
        ? before.nextElementSibling : ctx.focusNew.list.firstElementChild);
    } else if (ctx.focusAfter) {
      element = document.querySelector(ctx.focusAfter);
    }
    if (!element) return;
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  });

  // Share links (templates/_share.html): the link to the page copies its address, and
  // the device's own sharing is offered where the browser has it. Without JavaScript,
  // the link is a link and the e-mail one opens the mail program.
  function shareStatus(element, message) {
    var status = element.closest(".share").querySelector("[data-share-status]");
    if (status) status.textContent = message;
  }

  function initSharing(root) {
    root.querySelectorAll("[data-copy-link]").forEach(function (link) {
      if (link.dataset.shareReady || !navigator.clipboard) return;
      link.dataset.shareReady = "1";
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigator.clipboard.writeText(link.href).then(function () {
          shareStatus(link, link.getAttribute("data-copied"));
        }, function () { location.href = link.href; });
      });
    });
    if (typeof navigator.share !== "function") return;
    root.querySelectorAll("[data-share-url]").forEach(function (button) {
      if (button.dataset.shareReady) return;
      button.dataset.shareReady = "1";
      button.closest(".share__native").hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-share-title"),
          url: button.getAttribute("data-share-url")
        }).catch(function () { /* closed without sharing */ });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCounters(document);
    initSharing(document);
    focusProblems(document);
    centreLineage(document);
  });
  document.addEventListener("htmx:after:swap", function (event) {
    var target = (event.detail && event.detail.ctx && event.detail.ctx.target) || document;
    var root = target.isConnected ? target : document;
    initCounters(root.parentElement || document);
    focusProblems(document);
  });
})();
