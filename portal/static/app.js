/* fagui: small progressive enhancements. The site works without this file; it adds the larger-text mode,
   saving documents for offline use (收藏), the saved list, and the print button. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var SAVED_KEY = "fagui-saved";

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: nothing kept */ }
  }

  if (load("fagui-large", false)) root.classList.add("large");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline use unavailable */ });
  }

  function savedList() { return load(SAVED_KEY, []); }
  function isSaved(url) { return savedList().some(function (d) { return d.url === url; }); }

  function saveDocument(btn) {
    var url = btn.getAttribute("data-url");
    var entry = { url: url, title: btn.getAttribute("data-title"), status: btn.getAttribute("data-status"),
                  saved: new Date().toISOString().slice(0, 10) };
    if (!("caches" in window)) { btn.textContent = "此浏览器不支持离线收藏"; return; }
    btn.disabled = true;
    caches.open("fagui-saved").then(function (c) { return c.add(url); }).then(function () {
      var list = savedList().filter(function (d) { return d.url !== url; });
      list.unshift(entry);
      store(SAVED_KEY, list);
      markSaved(btn, true);
    }).catch(function () {
      btn.textContent = "收藏失败，请检查网络后重试";
    }).then(function () { btn.disabled = false; });
  }

  function removeDocument(url) {
    store(SAVED_KEY, savedList().filter(function (d) { return d.url !== url; }));
    if ("caches" in window) caches.open("fagui-saved").then(function (c) { return c.delete(url); });
  }

  function markSaved(btn, saved) {
    // Every 收藏 button of the document (the one in the sticky bar, data-short, and the one below the title).
    document.querySelectorAll("[data-action=save]").forEach(function (b) {
      if (b.getAttribute("data-url") !== btn.getAttribute("data-url")) return;
      b.setAttribute("aria-pressed", saved ? "true" : "false");
      if (b.hasAttribute("data-short")) b.textContent = saved ? "已收藏" : "收藏";
      else b.textContent = saved ? "已收藏（可离线打开）· 取消收藏" : "收藏（离线可用）";
    });
  }

  function renderSaved(ul) {
    var list = savedList();
    ul.textContent = "";
    if (!list.length) {
      var li = document.createElement("li");
      li.textContent = ul.getAttribute("data-empty");
      ul.appendChild(li);
      return;
    }
    list.forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d.url;
      a.textContent = d.title;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = (d.status ? d.status + " · " : "") + "收藏于 " + d.saved;
      var rm = document.createElement("button");
      rm.type = "button";
      rm.textContent = "删除";
      rm.setAttribute("aria-label", "删除收藏：" + d.title);
      rm.addEventListener("click", function () { removeDocument(d.url); renderSaved(ul); });
      li.appendChild(a); li.appendChild(meta); li.appendChild(rm);
      ul.appendChild(li);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var size = document.querySelector("[data-action=textsize]");
    if (size) {
      size.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
      size.addEventListener("click", function () {
        var on = root.classList.toggle("large");
        size.setAttribute("aria-pressed", on ? "true" : "false");
        store("fagui-large", on);
      });
    }
    document.querySelectorAll("[data-action=save]").forEach(function (btn) {
      markSaved(btn, isSaved(btn.getAttribute("data-url")));
      btn.hidden = false;
      btn.addEventListener("click", function () {
        if (btn.getAttribute("aria-pressed") === "true") {
          removeDocument(btn.getAttribute("data-url"));
          markSaved(btn, false);
        } else {
          saveDocument(btn);
        }
      });
    });
    document.querySelectorAll("[data-action=print]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () { window.print(); });
    });
    var ul = document.getElementById("saved-list");
    if (ul) renderSaved(ul);
  });
})();
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-action=jump]");
  if (!form) return;
  form.addEventListener("submit", function (ev) {
    // 91 -> #art-91, 133-1 or 133之1 -> #art-133-1; anything else (九十一, 第一百三十三条之一) goes to the server.
    var m = /^([0-9]+)(?:\s*[-之]\s*([0-9]+))?$/.exec((form.elements.article.value || "").trim());
    var id = m ? "art-" + m[1] + (m[2] && m[2] !== "0" ? "-" + m[2] : "") : null;
    if (id && document.getElementById(id)) {
      ev.preventDefault();
      location.hash = id;
      document.getElementById(id).focus({ preventScroll: true });
    }
  });
});
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  // On a phone the results come first: the filters fold away once there is a query.
  var box = document.querySelector("details[data-collapse-narrow=yes]");
  if (box && window.matchMedia("(max-width: 899px)").matches) box.open = false;
});
