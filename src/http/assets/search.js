// dorama-search widget: a search box with type-ahead, grouped results with facets, a sort menu
// and "did you mean", a drama view with its forum search and related dramas, and Top 100 pages. Drop it on any page with
//   <div id="dorama-search"></div>
//   <script src="https://SEARCH-HOST/search.js"></script>
// It talks to the API on the host it was loaded from (read endpoints allow other origins).
(function () {
  "use strict";
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src).origin : window.location.origin;
  var root = document.getElementById((script && script.dataset.target) || "dorama-search");
  if (!root) return;

  var css = document.createElement("style");
  css.textContent =
    ".ds-box{position:relative}.ds-box input{width:100%;font-size:1.1rem;padding:.5rem;box-sizing:border-box}" +
    ".ds-sugg{position:absolute;left:0;right:0;background:#fff;border:1px solid #ccc;list-style:none;margin:0;padding:0;z-index:10}" +
    ".ds-sugg li{padding:.35rem .5rem;cursor:pointer}.ds-sugg li.ds-active{background:#e8f0fe}" +
    ".ds-kind{font-size:.75rem;color:#777;margin-left:.5rem}.ds-group h3{margin:1.2rem 0 .3rem;font-size:1rem;text-transform:capitalize}" +
    ".ds-hit{margin:.5rem 0}.ds-hit a{font-weight:600}.ds-snip{color:#444;font-size:.9rem}.ds-snip mark{background:#ffe58f}" +
    ".ds-top td{padding:.2rem .5rem}.ds-err{color:#b00}" +
    ".ds-results{display:flex;gap:1.5rem;align-items:flex-start}.ds-facets{flex:0 0 11rem;font-size:.85rem}.ds-main{flex:1;min-width:0}" +
    ".ds-facets h4{margin:.8rem 0 .2rem;text-transform:capitalize}.ds-facet{display:block;color:#225;text-decoration:none;padding:.05rem 0}" +
    ".ds-facet.ds-on{font-weight:700}.ds-facet.ds-on::before{content:'✓ '}.ds-dym{color:#333}.ds-related li{margin:.3rem 0}";
  document.head.appendChild(css);

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "html") e.innerHTML = attrs[k]; // only for server snippets, which escape text and add <mark>
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function get(path) {
    return fetch(API + path).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.status); return j; });
    });
  }
  function label(x) { return (x.title || x.id) + (x.title_ja ? " [" + x.title_ja + "]" : ""); }

  var input = el("input", { type: "search", placeholder: "Search dramas, people, reviews… (romaji, かな, 漢字)", "aria-label": "Search", autocomplete: "off" });
  var list = el("ul", { class: "ds-sugg", role: "listbox", hidden: "" });
  var box = el("div", { class: "ds-box" }, [input, list]);
  var view = el("div", { class: "ds-view" });
  root.appendChild(box);
  root.appendChild(view);

  var items = [], active = -1, timer = null, seq = 0;
  function closeList() { list.hidden = true; active = -1; }
  function renderList() {
    list.innerHTML = "";
    items.forEach(function (s, i) {
      var li = el("li", { role: "option", "data-kind": s.kind }, [document.createTextNode(label(s)), el("span", { class: "ds-kind", text: s.kind })]);
      if (i === active) li.className = "ds-active";
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(s); });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  // Filters and sort live in the page's URL (`#/search/QUERY?station=TBS&sort=rating`), so a
  // result can be shared and the back button steps through them.
  var REFINE = ["station", "season", "year", "min_rating", "kind", "sort"];
  function searchHash(q, params) {
    var qs = REFINE.filter(function (k) { return params && params[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
    return "#/search/" + encodeURIComponent(q) + (qs ? "?" + qs : "");
  }
  function choose(s) {
    closeList();
    if (s.kind === "drama") location.hash = "#/drama/" + encodeURIComponent(s.id);
    else { input.value = s.title || s.id; location.hash = searchHash(input.value, {}); }
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { items = []; renderList(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      get("/api/suggest?limit=8&q=" + encodeURIComponent(q)).then(function (r) {
        if (mine !== seq) return; // a newer keystroke won
        items = r.suggestions; active = -1; renderList();
      }).catch(function () { items = []; renderList(); });
    }, 120);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; renderList(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; renderList(); ev.preventDefault(); }
    else if (ev.key === "Escape") closeList();
    else if (ev.key === "Enter") {
      ev.preventDefault();
      if (active >= 0 && items[active]) choose(items[active]);
      else if (input.value.trim()) { closeList(); location.hash = searchHash(input.value.trim(), {}); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(closeList, 100); });

  // A total past the server's counting cap is a lower bound: "10,000+".
  function count(n, relation) {
    return n.toLocaleString("en-US") + (relation === "gte" ? "+" : "");
  }
  function hitNode(h) {
    var href = h.kind === "drama" ? "#/drama/" + encodeURIComponent(h.id)
      : h.drama_id ? "#/drama/" + encodeURIComponent(h.drama_id) : "#/search/" + encodeURIComponent(h.title || h.id);
    return el("div", { class: "ds-hit", "data-kind": h.kind, "data-id": h.id }, [
      el("a", { href: href, text: label(h) }),
      h.rating ? el("span", { class: "ds-kind", text: h.rating + "/10" }) : null,
      h.author ? el("span", { class: "ds-kind", text: "by " + h.author }) : null,
      // A post about no drama, in this drama's forum because it names it.
      h.mention ? el("span", { class: "ds-kind ds-mention", text: "mentions this drama" }) : null,
      el("div", { class: "ds-snip", html: h.snippet || "" }),
    ]);
  }
  function showSearch(q, params) {
    input.value = q;
    view.textContent = "Searching…";
    var qs = REFINE.filter(function (k) { return params[k]; }).map(function (k) { return "&" + k + "=" + encodeURIComponent(params[k]); }).join("");
    get("/api/search?limit=50&facets=station,season,year,kind&q=" + encodeURIComponent(q) + qs).then(function (r) {
      view.innerHTML = "";
      var main = el("div", { class: "ds-main" });
      var sort = el("select", { class: "ds-sort", "aria-label": "Sort by" });
      [["relevance", "Best match"], ["rating", "Rating"], ["newest", "Newest"], ["votes", "Most rated"]].forEach(function (o) {
        var opt = el("option", { value: o[0], text: o[1] });
        if ((params.sort || "relevance") === o[0]) opt.selected = true;
        sort.appendChild(opt);
      });
      sort.addEventListener("change", function () {
        var next = Object.assign({}, params, { sort: sort.value === "relevance" ? "" : sort.value });
        location.hash = searchHash(q, next);
      });
      main.appendChild(el("p", { class: "ds-total" }, [
        document.createTextNode(count(r.total, r.total_relation) + " results (" + (r.took_us / 1000).toFixed(1) + " ms) · sort: "), sort]));
      if (r.did_you_mean) {
        main.appendChild(el("p", { class: "ds-dym" }, [document.createTextNode("Did you mean "),
          el("a", { href: searchHash(r.did_you_mean, params), text: r.did_you_mean }), document.createTextNode("?")]));
      }
      var groups = {};
      r.hits.forEach(function (h) { (groups[h.kind] = groups[h.kind] || []).push(h); });
      ["drama", "person", "review", "comment", "post", "vote"].forEach(function (k) {
        if (!groups[k]) return;
        var n = r.kinds && r.kinds[k] ? " (" + count(r.kinds[k].total, r.kinds[k].relation) + ")" : "";
        main.appendChild(el("div", { class: "ds-group", "data-group": k }, [el("h3", { text: k + "s" + n })].concat(groups[k].map(hitNode))));
      });
      view.appendChild(el("div", { class: "ds-results" }, [facetColumn(q, params, r.facets || {}), main]));
    }).catch(showError);
  }
  // One list per facet, with counts; a value links to the search filtered by it, the value
  // already filtered by links back to the search without it.
  function facetColumn(q, params, facets) {
    var col = el("aside", { class: "ds-facets", "aria-label": "Filters" });
    ["station", "season", "year", "kind"].forEach(function (f) {
      var values = facets[f] || [];
      if (!values.length) return;
      col.appendChild(el("h4", { text: f }));
      values.forEach(function (v) {
        var value = String(v.value);
        var on = String(params[f] || "").toLowerCase() === value.toLowerCase();
        var next = Object.assign({}, params);
        next[f] = on ? "" : value;
        col.appendChild(el("a", { class: "ds-facet" + (on ? " ds-on" : ""), href: searchHash(q, next), "data-facet": f, "data-value": value,
          text: value + " (" + count(v.count) + ")" }));
      });
    });
    return col;
  }
  function showDrama(id) {
    view.textContent = "Loading…";
    get("/api/records/drama/" + encodeURIComponent(id)).then(function (d) {
      view.innerHTML = "";
      var forumInput = el("input", { type: "search", placeholder: "Search forum for this drama", "aria-label": "Search forum" });
      var results = el("div", { class: "ds-forum" });
      var related = el("div", { class: "ds-related" });
      function forum() {
        get("/api/dramas/" + encodeURIComponent(id) + "/forum?limit=30&q=" + encodeURIComponent(forumInput.value)).then(function (r) {
          results.innerHTML = "";
          results.appendChild(el("p", { text: count(r.total, r.total_relation) + " posts" }));
          r.hits.forEach(function (h) { results.appendChild(hitNode(h)); });
        }).catch(showError);
      }
      forumInput.addEventListener("keydown", function (ev) { if (ev.key === "Enter") forum(); });
      view.appendChild(el("div", { class: "ds-drama", "data-id": d.id }, [
        el("h2", { text: label(d) }),
        el("p", { text: [d.title_en, d.season, d.station, d.episodes ? d.episodes + " episodes" : ""].filter(Boolean).join(" · ") }),
        el("p", { text: d.synopsis || "" }),
        el("p", { text: "Cast: " + (d.cast || []).map(function (c) { return (c.actor || "?") + " as " + (c.character || "?"); }).join(", ") }),
        forumInput, results, related,
      ]));
      forum();
      get("/api/dramas/" + encodeURIComponent(id) + "/related?limit=8").then(function (r) {
        if (!r.related.length) return;
        related.appendChild(el("h3", { text: "Related" }));
        related.appendChild(el("ul", {}, r.related.map(function (x) {
          return el("li", { "data-id": x.id }, [el("a", { href: "#/drama/" + encodeURIComponent(x.id), text: label(x) }),
            el("div", { class: "ds-kind", text: x.why.join(" · ") })]);
        })));
      }).catch(function () {});
    }).catch(showError);
  }
  function showTop(params) {
    view.textContent = "Loading…";
    var season = el("input", { placeholder: "Season, e.g. Summer 2004", value: params.season || "" });
    var year = el("input", { placeholder: "Year", value: params.year || "", size: "6" });
    var go = el("button", { text: "Show" });
    go.addEventListener("click", function () {
      location.hash = "#/top100" + (season.value ? "/season/" + encodeURIComponent(season.value) : year.value ? "/year/" + encodeURIComponent(year.value) : "");
    });
    var qs = params.season ? "?season=" + encodeURIComponent(params.season) : params.year ? "?year=" + encodeURIComponent(params.year) : "";
    get("/api/top100" + qs).then(function (r) {
      view.innerHTML = "";
      view.appendChild(el("div", {}, [season, year, go]));
      view.appendChild(el("p", { text: "Top 100 (" + r.scope + "): m=" + r.params.m + ", C=" + (r.params.c == null ? "-" : r.params.c.toFixed(2)) + ", at least " + r.params.min_votes + " ratings" }));
      var t = el("table", { class: "ds-top" });
      r.entries.forEach(function (e) {
        t.appendChild(el("tr", {}, [
          el("td", { text: e.rank + "." }),
          el("td", {}, [el("a", { href: "#/drama/" + encodeURIComponent(e.id), text: label(e) })]),
          el("td", { text: e.score.toFixed(2) }),
          el("td", { text: e.mean.toFixed(2) + " from " + e.votes }),
        ]));
      });
      view.appendChild(t);
    }).catch(showError);
  }
  function showError(e) { view.innerHTML = ""; view.appendChild(el("p", { class: "ds-err", text: String(e.message || e) })); }

  function route() {
    var full = location.hash.replace(/^#\/?/, "");
    var at = full.indexOf("?");
    var params = {};
    if (at >= 0) {
      full.slice(at + 1).split("&").forEach(function (kv) {
        var i = kv.indexOf("=");
        if (i > 0) params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
      });
      full = full.slice(0, at);
    }
    var h = full.split("/").map(decodeURIComponent);
    if (h[0] === "search" && h[1]) showSearch(h[1], params);
    else if (h[0] === "drama" && h[1]) showDrama(h[1]);
    else if (h[0] === "top100") showTop(h[1] === "season" ? { season: h[2] } : h[1] === "year" ? { year: h[2] } : {});
    else view.innerHTML = "";
  }
  window.addEventListener("hashchange", route);
  route();
})();
