// dorama-search widget: a search box with type-ahead, grouped results with facets, a sort menu,
// paging and "did you mean", a drama view with its forum search and related dramas, and Top 100
// pages. Drop it on any page with
//   <div id="dorama-search"></div>
//   <script src="https://SEARCH-HOST/search.js"></script>
// It talks to the API on the host it was loaded from (read endpoints allow other origins).
// Its state (`#/search/love`, `#/drama/ID`, `#/top100`) lives in the page's URL fragment; it
// leaves alone fragments that are not its own (not starting with `#/`). With
//   <div id="dorama-search" data-url-state="off"></div>
// it keeps its state in memory and never touches the URL or the window title.
(function () {
  "use strict";
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src).origin : window.location.origin;
  var root = document.getElementById((script && script.dataset.target) || "dorama-search");
  if (!root) return;
  var urlState = (root.dataset.urlState || (script && script.dataset.urlState) || "on") !== "off";
  var memHash = "", baseTitle = document.title;
  var uid = "ds" + Math.random().toString(36).slice(2, 8);

  var css = document.createElement("style");
  css.textContent =
    ".ds-box{position:relative}.ds-box input{width:100%;font-size:1.1rem;padding:.5rem;box-sizing:border-box}" +
    ".ds-sugg{position:absolute;left:0;right:0;background:#fff;border:1px solid #999;list-style:none;margin:0;padding:0;z-index:10;box-shadow:0 4px 10px rgba(0,0,0,.15)}" +
    ".ds-sugg li{padding:.35rem .5rem;cursor:pointer}.ds-sugg li:hover{background:#eef3ff}" +
    ".ds-sugg li.ds-active{background:#1a4fb4;color:#fff}.ds-sugg li.ds-active .ds-kind{color:#dde6ff}" +
    ".ds-kind{font-size:.75rem;color:#666;margin-left:.5rem}.ds-group h3{margin:1.2rem 0 .3rem;font-size:1rem}" +
    ".ds-hit{margin:.6rem 0}.ds-hit a{font-weight:600}.ds-snip{color:#444;font-size:.9rem}.ds-snip mark{background:#ffe58f}" +
    ".ds-body{white-space:pre-line;font-size:.9rem;color:#222;border-left:3px solid #ccd;padding:.2rem .6rem;margin:.3rem 0}" +
    ".ds-more{display:block;font-size:.8rem;margin:.1rem 0;padding:0;background:none;border:0;color:#1a4fb4;text-decoration:underline;cursor:pointer}.ds-err{color:#b00;background:#fff0f0;border:1px solid #e5b5b5;padding:.5rem .7rem}" +
    ".ds-results{display:flex;gap:1.5rem;align-items:flex-start}.ds-facets{flex:0 0 11rem;font-size:.85rem}.ds-main{flex:1;min-width:0}" +
    ".ds-facets summary{font-weight:600;cursor:pointer}.ds-facets h4{margin:.8rem 0 .2rem;text-transform:capitalize}" +
    ".ds-facet{display:block;color:#225;text-decoration:none;padding:.05rem 0}" +
    ".ds-facet.ds-on{font-weight:700}.ds-facet.ds-on::before{content:'✓ '}.ds-dym{color:#333}.ds-related li{margin:.3rem 0}" +
    ".ds-pager{display:flex;gap:.8rem;align-items:center;margin:1rem 0}.ds-help li{margin:.2rem 0}" +
    ".ds-top{border-collapse:collapse}.ds-top th,.ds-top td{padding:.25rem .5rem;text-align:left;vertical-align:top}" +
    ".ds-top th{border-bottom:1px solid #bbb;font-size:.85rem}.ds-top .ds-num{text-align:right;white-space:nowrap}" +
    ".ds-facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}.ds-facts dt{color:#666}.ds-facts dd{margin:0}" +
    ".ds-examples a{margin-right:.8rem}" +
    ".ds-dist{list-style:none;margin:.3rem 0 .8rem;padding:0;max-width:30rem}.ds-dist li{display:grid;grid-template-columns:1.6rem minmax(0,1fr) 3.5rem;gap:.5rem;align-items:center;margin:.15rem 0;font-size:.85rem}" +
    ".ds-dist-n{text-align:right;color:#444}.ds-dist-bar{height:.9rem;background:#eef1f7;border-radius:2px}.ds-dist-bar span{display:block;height:100%;background:#1a4fb4;border-radius:2px}" +
    ".ds-dist-c{color:#333;white-space:nowrap}.ds-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:700px){.ds-results{display:block}.ds-facets{margin-bottom:.5rem}.ds-top{font-size:.9rem}.ds-top th,.ds-top td{padding:.2rem .25rem}.ds-top td{overflow-wrap:anywhere}}";
  document.head.appendChild(css);

  // Text from old forum pages can carry U+FFFD from a broken encoding: between two letters a
  // run of them was an apostrophe (Shift-JIS ’ leaves "�L": doesn�Lt), anywhere else it is dropped.
  function clean(s) {
    // (A snippet's <mark> may sit between the letter and the run.)
    return String(s == null ? "" : s).replace(/([A-Za-z](?:<\/?mark>)?)\uFFFDL(?=(?:<\/?mark>)?[a-z])/g, "$1'")
      .replace(/([A-Za-z](?:<\/?mark>)?)\uFFFD+(?=(?:<\/?mark>)?[A-Za-z])/g, "$1'").replace(/\uFFFD+/g, "");
  }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = clean(attrs[k]);
      else if (k === "html") e.innerHTML = clean(attrs[k]); // only for server snippets, which escape text and add <mark>
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(clean(c)) : c); });
    return e;
  }
  function get(path) {
    return fetch(API + path).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.message || j.error || "the server answered " + r.status);
        return j;
      });
    });
  }
  function errorNode(e) { return el("p", { class: "ds-err", role: "alert", text: "Sorry, that did not work: " + String((e && e.message) || e) }); }
  function label(x) { return (x.title || x.id) + (x.title_ja ? " [" + x.title_ja + "]" : ""); }
  function enc(s) { return encodeURIComponent(s); }
  function dec(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
  function add(parent, child) { if (child) parent.appendChild(child); }
  function setTitle(t) { if (urlState) document.title = t ? clean(t) : baseTitle; }

  // Navigation: in the URL fragment, or in memory with data-url-state="off".
  function go(hash) { if (urlState) location.hash = hash; else { memHash = hash; route(); } }
  function ours(h) { return !h || h === "#" || h.indexOf("#/") === 0; }
  root.addEventListener("click", function (ev) {
    if (urlState || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    var a = ev.target.closest && ev.target.closest("a[href^='#/']");
    if (a && root.contains(a)) { ev.preventDefault(); go(a.getAttribute("href")); }
  });

  var listId = uid + "-list";
  var input = el("input", { type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
    placeholder: "Search dramas, people, reviews… (romaji, かな, 漢字)", "aria-label": "Search", autocomplete: "off" });
  var list = el("ul", { id: listId, class: "ds-sugg", role: "listbox", "aria-label": "Suggestions", hidden: "" });
  var box = el("div", { class: "ds-box" }, [input, list]);
  var view = el("div", { class: "ds-view", "aria-live": "polite" });
  root.appendChild(box);
  root.appendChild(view);

  var items = [], active = -1, timer = null, seq = 0;
  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && active >= 0) input.setAttribute("aria-activedescendant", listId + "-" + active);
    else input.removeAttribute("aria-activedescendant");
  }
  function closeList() { active = -1; setOpen(false); }
  function cancelSuggest() { clearTimeout(timer); seq++; }
  function renderList() {
    list.innerHTML = "";
    items.forEach(function (s, i) {
      var li = el("li", { id: listId + "-" + i, role: "option", "aria-selected": i === active ? "true" : "false", "data-kind": s.kind },
        [label(s), el("span", { class: "ds-kind", text: s.kind })]);
      if (i === active) li.className = "ds-active";
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(s); });
      list.appendChild(li);
    });
    setOpen(items.length > 0);
  }
  // Filters, sort and page live in the state (`#/search/QUERY?station=TBS&sort=rating&offset=50`),
  // so a result can be shared and the back button steps through them.
  var REFINE = ["station", "season", "year", "min_rating", "kind", "sort"];
  var STATE = REFINE.concat(["offset"]);
  function searchHash(q, params) {
    var qs = STATE.filter(function (k) { return params && params[k]; })
      .map(function (k) { return k + "=" + enc(params[k]); }).join("&");
    return "#/search/" + enc(q) + (qs ? "?" + qs : "");
  }
  function choose(s) {
    cancelSuggest();
    closeList();
    if (s.kind === "drama") go("#/drama/" + enc(s.id));
    else if (s.kind === "person") go("#/person/" + enc(s.id));
    else { input.value = s.title || s.id; go(searchHash(input.value, {})); }
  }
  input.addEventListener("input", function () {
    cancelSuggest();
    var q = input.value.trim();
    if (!q) { items = []; renderList(); return; }
    timer = setTimeout(function () {
      var mine = seq;
      get("/api/suggest?limit=8&q=" + enc(q)).then(function (r) {
        if (mine !== seq) return; // a newer keystroke (or Enter, or Escape) won
        items = r.suggestions; active = -1; renderList();
      }).catch(function () { if (mine === seq) { items = []; renderList(); } });
    }, 120);
  });
  input.addEventListener("keydown", function (ev) {
    var open = !list.hidden && items.length;
    if (ev.key === "ArrowDown" && items.length) { active = open ? (active + 1) % items.length : 0; renderList(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; renderList(); ev.preventDefault(); }
    else if (ev.key === "Escape") { ev.preventDefault(); cancelSuggest(); closeList(); } // keep the text: only close the list
    else if (ev.key === "Enter") {
      ev.preventDefault();
      if (open && active >= 0 && items[active]) choose(items[active]);
      else if (input.value.trim()) { cancelSuggest(); closeList(); go(searchHash(input.value.trim(), {})); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(closeList, 100); });

  var KINDS = { drama: ["Drama", "Dramas"], person: ["Person", "People"], review: ["Review", "Reviews"],
    comment: ["Comment", "Comments"], post: ["Post", "Posts"], vote: ["Vote", "Votes"] };
  // A total past the server's counting cap is a lower bound: "10,000+".
  function count(n, relation) { return n.toLocaleString("en-US") + (relation === "gte" ? "+" : ""); }
  function plural(n, one, many, relation) { return count(n, relation) + " " + (n === 1 && relation !== "gte" ? one : many); }
  function took(us) { return us < 1000 ? "<1 ms" : (us / 1000).toFixed(1) + " ms"; }
  function hitNode(h, inForum) {
    var href = h.kind === "drama" ? "#/drama/" + enc(h.id)
      : h.kind === "person" ? "#/person/" + enc(h.id)
      : h.drama_id ? "#/drama/" + enc(h.drama_id) : "#/search/" + enc(h.title || h.id);
    var isText = h.kind !== "drama" && h.kind !== "person";
    // In a drama's forum every text is of that drama: name the text, not the drama again.
    var head = inForum && isText
      ? el("strong", { text: h.kind === "review" && h.title ? h.title : KINDS[h.kind] ? KINDS[h.kind][0] : h.kind })
      : el("a", { href: href, text: label(h) });
    var snip = el("div", { class: "ds-snip", html: h.snippet || "" });
    var node = el("div", { class: "ds-hit", "data-kind": h.kind, "data-id": h.id }, [
      head,
      h.rating ? el("span", { class: "ds-kind", text: h.rating + "/10" }) : null,
      h.author ? el("span", { class: "ds-kind", text: "by " + h.author }) : null,
      // A post about no drama, in this drama's forum because it names it.
      h.mention ? el("span", { class: "ds-kind ds-mention", text: "mentions this drama" }) : null,
      snip,
    ]);
    // A review's title is no snippet (the forum with no words shows it as one): drop the repeat.
    if (h.kind === "review" && snip.textContent.trim() === clean(h.title || "").trim()) { snip.dataset.same = "1"; snip.hidden = true; }
    // A review, a post, or a snippet cut short: the whole text on request.
    if (isText && (h.kind === "review" || h.kind === "post" || /^…|…$/.test(h.snippet || ""))) reader(h, node, snip);
    return node;
  }
  // A text's snippet opens into its whole body, fetched on the first click.
  function reader(h, node, snip) {
    var body = el("div", { class: "ds-body", hidden: "" });
    var btn = el("button", { type: "button", class: "ds-more", "aria-expanded": "false", text: "Read all" });
    btn.addEventListener("click", function () {
      var open = body.hidden;
      body.hidden = !open;
      snip.hidden = open || !!snip.dataset.same;
      btn.setAttribute("aria-expanded", String(open));
      btn.textContent = open ? "Show less" : "Read all";
      if (!open || body.dataset.loaded) return;
      body.textContent = "Loading…";
      get("/api/records/" + enc(h.kind) + "/" + enc(h.id)).then(function (t) {
        body.dataset.loaded = "1";
        body.textContent = clean(t.body || t.text || "");
      }, function (e) { body.innerHTML = ""; body.appendChild(errorNode(e)); });
    });
    node.appendChild(btn);
    node.appendChild(body);
  }
  // Previous / Next buttons and "51–100 of 308"; onPage(offset) shows that page.
  function pager(r, offset, limit, onPage) {
    if (!r.total || (offset === 0 && r.hits.length >= r.total)) return null;
    var last = offset + r.hits.length;
    var prev = el("button", { type: "button", class: "ds-prev", text: "← Previous" });
    var next = el("button", { type: "button", class: "ds-next", text: "Next →" });
    prev.disabled = offset <= 0;
    next.disabled = r.hits.length < limit || (last >= r.total && r.total_relation !== "gte") || last >= 10000;
    prev.addEventListener("click", function () { onPage(Math.max(0, offset - limit)); });
    next.addEventListener("click", function () { onPage(offset + limit); });
    return el("nav", { class: "ds-pager", "aria-label": "Pages" },
      [prev, el("span", { text: (r.hits.length ? offset + 1 : offset) + "–" + last + " of " + count(r.total, r.total_relation) }), next]);
  }

  var PAGE = 50, lastFacets = { q: null, facets: {} }, viewSeq = 0;
  function showSearch(q, params, my) {
    input.value = q;
    setTitle(q + " – search");
    var offset = Math.max(0, parseInt(params.offset, 10) || 0);
    view.innerHTML = "";
    view.appendChild(el("p", { text: "Searching…" }));
    var qs = REFINE.filter(function (k) { return params[k]; }).map(function (k) { return "&" + k + "=" + enc(params[k]); }).join("");
    var filtered = REFINE.some(function (k) { return k !== "sort" && params[k]; });
    var reset = function (extra) { return Object.assign({}, params, { offset: "" }, extra || {}); };
    get("/api/search?limit=" + PAGE + (offset ? "&offset=" + offset : "") + "&facets=station,season,year,kind&q=" + enc(q) + qs).then(function (r) {
      if (my !== viewSeq) return;
      lastFacets = { q: q, facets: r.facets || {} };
      render(r, null);
    }, function (e) { if (my === viewSeq) render(null, e); });
    function render(r, err) {
      view.innerHTML = "";
      var main = el("div", { class: "ds-main" });
      var sort = el("select", { class: "ds-sort", "aria-label": "Sort by" });
      [["relevance", "Best match"], ["rating", "Rating"], ["newest", "Newest"], ["votes", "Most rated"]].forEach(function (o) {
        var opt = el("option", { value: o[0], text: o[1] });
        if ((params.sort || "relevance") === o[0]) opt.selected = true;
        sort.appendChild(opt);
      });
      sort.addEventListener("change", function () { go(searchHash(q, reset({ sort: sort.value === "relevance" ? "" : sort.value }))); });
      var without = el("a", { href: searchHash(q, {}), text: "search “" + q + "” without filters" });
      if (err) {
        main.appendChild(errorNode(err));
        if (filtered) main.appendChild(el("p", {}, ["Try ", without, "."]));
      } else {
        main.appendChild(el("p", { class: "ds-total" }, [plural(r.total, "result", "results", r.total_relation) + " (" + took(r.took_us) + ") · sort: ", sort]));
        if (r.did_you_mean) {
          main.appendChild(el("p", { class: "ds-dym" }, ["Did you mean ", el("a", { href: searchHash(r.did_you_mean, reset()), text: r.did_you_mean }), "?"]));
        }
        if (!r.hits.length) main.appendChild(noResults(q, r, filtered ? without : null, offset));
        // Groups in the order of their best hit in the API's ranking.
        var groups = {}, order = [];
        r.hits.forEach(function (h) {
          if (!groups[h.kind]) { groups[h.kind] = []; order.push(h.kind); }
          groups[h.kind].push(h);
        });
        order.forEach(function (k) {
          var n = r.kinds && r.kinds[k] ? " (" + count(r.kinds[k].total, r.kinds[k].relation) + ")" : "";
          main.appendChild(el("div", { class: "ds-group", "data-group": k }, [el("h3", { text: (KINDS[k] ? KINDS[k][1] : k) + n })].concat(groups[k].map(function (h) { return hitNode(h); }))));
        });
        add(main, pager(r, offset, PAGE, function (o) { go(searchHash(q, Object.assign({}, params, { offset: o ? String(o) : "" }))); }));
      }
      var facets = r ? r.facets || {} : lastFacets.q === q ? lastFacets.facets : {};
      view.appendChild(el("div", { class: "ds-results" }, [facetColumn(q, params, facets), main]));
    }
  }
  function noResults(q, r, without, offset) {
    if (offset) return el("p", { text: "No more results." });
    var tips = el("ul", { class: "ds-help" }, [
      el("li", {}, r.did_you_mean ? ["Check the spelling: did you mean ", el("a", { href: searchHash(r.did_you_mean, {}), text: r.did_you_mean }), "?"] : ["Check the spelling."]),
      el("li", { text: "Try the title in romaji (sekai no chuushin) or in Japanese (世界の中心で), or a nickname (sekachu)." }),
      el("li", { text: "Try fewer words, or a single name." }),
      without ? el("li", {}, ["Try ", without, "."]) : null,
    ]);
    return el("div", { class: "ds-noresults" }, [el("p", { text: "Nothing matched “" + q + "”." }), tips]);
  }
  // One list per facet, with counts; a value links to the search filtered by it, the value
  // already filtered by links back to the search without it. Open beside the results on a wide
  // screen, folded above them on a narrow one.
  function facetColumn(q, params, facets) {
    var col = el("details", { class: "ds-facets", "aria-label": "Filters" }, [el("summary", { text: "Filters" })]);
    col.open = !(window.matchMedia && window.matchMedia("(max-width: 700px)").matches);
    ["kind", "station", "season", "year"].forEach(function (f) {
      var values = facets[f] || [];
      if (!values.length) return;
      col.appendChild(el("h4", { text: f }));
      values.forEach(function (v) {
        var value = String(v.value);
        var on = String(params[f] || "").toLowerCase() === value.toLowerCase();
        var next = Object.assign({}, params, { offset: "" });
        next[f] = on ? "" : value;
        col.appendChild(el("a", { class: "ds-facet" + (on ? " ds-on" : ""), href: searchHash(q, next), "data-facet": f, "data-value": value,
          text: value + " (" + count(v.count) + ")" }));
      });
    });
    return col;
  }

  var allTime = null; // the all-time Top 100, fetched once
  function top100() { return allTime || (allTime = get("/api/top100").catch(function (e) { allTime = null; throw e; })); }
  function showDrama(id, my) {
    input.value = "";
    view.innerHTML = "";
    view.appendChild(el("p", { text: "Loading…" }));
    get("/api/records/drama/" + enc(id)).then(function (d) {
      if (my !== viewSeq) return;
      view.innerHTML = "";
      setTitle(d.title || d.id);
      var facts = el("dl", { class: "ds-facts" });
      function fact(name, value) { if (value) { facts.appendChild(el("dt", { text: name })); facts.appendChild(el("dd", {}, [value])); } }
      var also = [d.title_en].concat(d.aka || []).filter(function (t, i, all) { return t && t !== d.title && all.indexOf(t) === i; });
      fact("Also known as", also.join(" · "));
      fact("Station", d.station);
      if (d.season) fact("Season", el("a", { href: "#/top100/season/" + enc(d.season), text: d.season, title: "Top 100 of " + d.season }));
      fact("Aired", [d.start, d.end].filter(Boolean).join(" – "));
      fact("Episodes", d.episodes ? d.episodes + (d.specials ? " + " + plural(d.specials, "special", "specials") : "") : "");
      var rank = el("dd", { class: "ds-rank" });
      var cast = (d.cast || []).map(function (c) {
        var who = (c.character || "") + (c.character_ja ? " [" + c.character_ja + "]" : "") + (c.age ? ", " + c.age : "");
        return el("li", {}, c.actor ? [el("a", { href: searchHash(c.actor, {}), text: c.actor }), " as " + who] : [who]);
      });
      var songs = (d.songs || []).map(function (s) {
        return el("li", { text: label(s) + (s.artist ? " — " + s.artist + (s.artist_ja ? " [" + s.artist_ja + "]" : "") : "") });
      });
      var forumInput = el("input", { type: "search", placeholder: "Search this drama's reviews and comments", "aria-label": "Search forum" });
      var forumSort = el("select", { class: "ds-forum-sort", "aria-label": "Sort forum by" });
      [["newest", "Newest"], ["relevance", "Best match"], ["rating", "Rating"]].forEach(function (o) { forumSort.appendChild(el("option", { value: o[0], text: o[1] })); });
      var sortTouched = false;
      forumSort.addEventListener("change", function () { sortTouched = true; forum(0); });
      // Which kinds of text: labelled with the counts of the last answer over all kinds.
      var KINDS = [["", "All texts"], ["review", "Reviews"], ["comment", "Comments"], ["vote", "Ratings"], ["post", "Posts"]];
      var forumKind = el("select", { class: "ds-forum-kind", "aria-label": "Show" });
      KINDS.forEach(function (o) { forumKind.appendChild(el("option", { value: o[0], text: o[1] })); });
      forumKind.addEventListener("change", function () { forum(0); });
      var ratings = el("div", { class: "ds-ratings" });
      var results = el("div", { class: "ds-forum" });
      var related = el("div", { class: "ds-related" });
      // With no words, the newest texts first: reviews and comments before bare ratings.
      var FORUM = 30;
      function forum(offset) {
        var q = forumInput.value.trim();
        if (!sortTouched) forumSort.value = q ? "relevance" : "newest";
        var kind = forumKind.value;
        get("/api/dramas/" + enc(id) + "/forum?limit=" + FORUM + (offset ? "&offset=" + offset : "") + "&sort=" + forumSort.value + (kind ? "&kind=" + kind : "") + "&q=" + enc(q)).then(function (r) {
          if (my !== viewSeq) return;
          results.innerHTML = "";
          if (!kind) {
            Array.prototype.forEach.call(forumKind.options, function (o, i) {
              var t = o.value ? r.kinds[o.value] : null;
              o.textContent = KINDS[i][1] + (o.value ? " (" + (t ? count(t.total, t.relation) : "0") + ")" : "");
            });
          }
          var kinds = Object.keys(r.kinds || {}).map(function (k) { return plural(r.kinds[k].total, k, k + "s", r.kinds[k].relation); }).join(", ");
          results.appendChild(el("p", { class: "ds-forum-total", text: plural(r.total, "text", "texts", r.total_relation) + (kinds ? " (" + kinds + ")" : "") }));
          r.hits.forEach(function (h) { results.appendChild(hitNode(h, true)); });
          add(results, pager(r, offset, FORUM, function (o) { forum(o); results.scrollIntoView && results.scrollIntoView(); }));
        }, function (e) { if (my === viewSeq) { results.innerHTML = ""; results.appendChild(errorNode(e)); } });
      }
      forumInput.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); forum(0); } });
      view.appendChild(el("div", { class: "ds-drama", "data-id": d.id }, [
        el("h2", { text: label(d) }),
        facts,
        d.synopsis ? el("p", { class: "ds-synopsis", text: d.synopsis }) : null,
        ratings,
        cast.length ? el("h3", { text: "Cast" }) : null, cast.length ? el("ul", { class: "ds-cast" }, cast) : null,
        songs.length ? el("h3", { text: songs.length === 1 ? "Song" : "Songs" }) : null, songs.length ? el("ul", { class: "ds-songs" }, songs) : null,
        el("h3", { text: "Forum" }), el("div", { class: "ds-forum-bar" }, [forumInput, " ", forumKind, " ", forumSort]), results, related,
      ]));
      forum(0);
      top100().then(function (t) {
        var e = t.entries.filter(function (x) { return x.id === d.id; })[0];
        if (!e || my !== viewSeq) return;
        rank.textContent = "#" + e.rank + " of all time · score " + e.score.toFixed(2) + " · mean " + e.mean.toFixed(2) + " from " + plural(e.votes, "rating", "ratings");
        facts.appendChild(el("dt", { text: "Top 100" }));
        facts.appendChild(rank);
      }).catch(function () {});
      // The spread of its counted ratings, 10 at the top; without it the rest of the page stays.
      get("/api/dramas/" + enc(id) + "/ratings").then(function (r) {
        if (my !== viewSeq) return;
        var counts = r.counts || [];
        if (!r.counted) {
          ratings.appendChild(el("h3", { text: "Ratings" }));
          ratings.appendChild(el("p", { class: "ds-empty", text: "No ratings yet" }));
          return;
        }
        var max = Math.max.apply(null, counts.concat([0]));
        ratings.appendChild(el("h3", { text: "Ratings (" + count(r.counted) + " counted" + (r.mean == null ? "" : ", mean " + r.mean.toFixed(2)) + ")" }));
        var rows = [];
        for (var v = 10; v >= 1; v--) {
          var c = counts[v - 1] || 0;
          rows.push(el("li", { "data-rating": v }, [
            el("span", { class: "ds-dist-n" }, [String(v), el("span", { class: "ds-sr", text: ": " })]),
            el("span", { class: "ds-dist-bar", "aria-hidden": "true" }, [el("span", { style: "width:" + (max ? c / max * 100 : 0) + "%" })]),
            el("span", { class: "ds-dist-c" }, [count(c), el("span", { class: "ds-sr", text: c === 1 ? " rating" : " ratings" })]),
          ]));
        }
        ratings.appendChild(el("ul", { class: "ds-dist", "aria-label": "Ratings from 10 down to 1" }, rows));
      }).catch(function () {});
      get("/api/dramas/" + enc(id) + "/related?limit=8").then(function (r) {
        if (!r.related.length || my !== viewSeq) return;
        related.appendChild(el("h3", { text: "Related" }));
        related.appendChild(el("ul", {}, r.related.map(function (x) {
          return el("li", { "data-id": x.id }, [el("a", { href: "#/drama/" + enc(x.id), text: label(x) }),
            el("div", { class: "ds-kind", text: x.why.join(" · ") })]);
        })));
      }).catch(function () {});
    }, function (e) {
      if (my !== viewSeq) return;
      setTitle("");
      view.innerHTML = "";
      view.appendChild(errorNode(e));
    });
  }

  var SEASONS = ["Winter", "Spring", "Summer", "Fall"];
  function seasonKey(s) { var p = String(s).split(" "); return Number(p[1]) * 4 + SEASONS.indexOf(p[0]); }
  function scopeName(scope) { return scope === "all" ? "" : String(scope).replace(/^(season|year):/, ""); }
  function topHeading(name) { return name ? "Top 100 – " + name : "Top 100 of all time"; }
  function topTable(entries) {
    var t = el("table", { class: "ds-top" }, [el("thead", {}, [el("tr", {}, ["Rank", "Drama", "Score", "Mean", "Ratings"].map(function (h, i) {
      return el("th", { scope: "col", class: i === 1 ? "" : "ds-num", text: h });
    }))])]);
    var body = el("tbody");
    entries.forEach(function (e) {
      body.appendChild(el("tr", { "data-id": e.id }, [
        el("td", { class: "ds-num", text: e.rank + "." }),
        el("td", {}, [el("a", { href: "#/drama/" + enc(e.id), text: label(e) }), e.season ? el("span", { class: "ds-kind", text: e.season }) : null]),
        el("td", { class: "ds-num", text: e.score.toFixed(2) }),
        el("td", { class: "ds-num", text: e.mean.toFixed(2) }),
        el("td", { class: "ds-num", text: String(e.votes) }),
      ]));
    });
    t.appendChild(body);
    return t;
  }
  function showTop(params, my) {
    input.value = "";
    var name = params.season || params.year || "";
    setTitle(topHeading(name));
    view.innerHTML = "";
    view.appendChild(el("p", { text: "Loading…" }));
    var qs = params.season ? "?season=" + enc(params.season) : params.year ? "?year=" + enc(params.year) : "";
    var listed = qs ? get("/api/top100" + qs) : top100();
    // The seasons and years to choose from: every one that has a list.
    var choices = get("/api/top100/scopes").catch(function () { return { seasons: [], years: [] }; });
    Promise.all([listed.then(function (r) { return { r: r }; }, function (e) { return { e: e }; }), choices]).then(function (both) {
      if (my !== viewSeq) return;
      var r = both[0].r, err = both[0].e;
      var years = {};
      both[1].years.forEach(function (y) { years[y] = []; });
      both[1].seasons.forEach(function (s) { var y = s.split(" ")[1]; (years[y] = years[y] || []).push(s); });
      var current = params.season ? "season/" + params.season : params.year ? "year/" + params.year : "";
      var pick = el("select", { class: "ds-scope", "aria-label": "Season or year" }, [el("option", { value: "", text: "All time" })]);
      Object.keys(years).sort().reverse().forEach(function (y) {
        pick.appendChild(el("optgroup", { label: y }, [el("option", { value: "year/" + y, text: "All of " + y })].concat(
          years[y].sort(function (a, b) { return seasonKey(b) - seasonKey(a); }).map(function (s) { return el("option", { value: "season/" + s, text: s }); }))));
      });
      if (current && !Array.prototype.some.call(pick.options, function (o) { return o.value === current; })) pick.appendChild(el("option", { value: current, text: name }));
      pick.value = current;
      pick.addEventListener("change", function () {
        var v = pick.value.split("/");
        go("#/top100" + (v[0] ? "/" + v[0] + "/" + enc(v.slice(1).join("/")) : ""));
      });
      view.innerHTML = "";
      view.appendChild(el("h2", { class: "ds-top-title", text: topHeading(r ? scopeName(r.scope) : name) }));
      view.appendChild(el("p", {}, [el("label", {}, ["Show: ", pick])]));
      if (err) { view.appendChild(errorNode(err)); return; }
      var p = r.params;
      if (!r.entries.length) {
        view.appendChild(el("p", { class: "ds-empty", text: "No drama of " + scopeName(r.scope) + " has enough ratings yet (it takes at least " + p.min_votes + ")." }));
        return;
      }
      view.appendChild(el("p", { class: "ds-explain", text: "Score: each drama's mean rating, pulled toward the list's mean of " + (p.c == null ? "-" : p.c.toFixed(2)) +
        " as if it had " + p.m + " more ratings of that mean, so that a few high ratings do not top the list; only dramas with at least " + p.min_votes + " ratings." }));
      view.appendChild(topTable(r.entries));
    });
  }

  var EXAMPLES = ["sekachu", "takayuki yamada", "せかいのちゅうしん", "廣瀬"];
  function showHome(my) {
    input.value = "";
    setTitle("");
    view.innerHTML = "";
    view.appendChild(el("div", { class: "ds-home" }, [
      el("p", { text: "Search Japanese TV dramas, their cast and songs, and fans' reviews and comments — in romaji, kana or kanji." }),
      el("p", { class: "ds-examples" }, ["Try: "].concat(EXAMPLES.map(function (x) { return el("a", { href: searchHash(x, {}), text: x }); }))),
    ]));
    var now = new Date(), season = SEASONS[Math.floor(now.getMonth() / 3)] + " " + now.getFullYear();
    var thisSeason = el("div", { class: "ds-home-season" }), ever = el("div", { class: "ds-home-top" });
    view.appendChild(thisSeason);
    view.appendChild(ever);
    get("/api/top100?season=" + enc(season)).then(function (r) {
      if (my !== viewSeq || !r.entries.length) return;
      thisSeason.appendChild(el("h3", { text: "Top 10 of " + season }));
      thisSeason.appendChild(topTable(r.entries.slice(0, 10)));
    }).catch(function () {});
    top100().then(function (r) {
      if (my !== viewSeq || !r.entries.length) return;
      ever.appendChild(el("h3", { text: "Top 10 of all time" }));
      ever.appendChild(topTable(r.entries.slice(0, 10)));
      ever.appendChild(el("p", {}, [el("a", { href: "#/top100", text: "The whole Top 100 →" })]));
    }).catch(function () {});
  }

  // A person: other names, and the dramas they are in, as whom.
  function showPerson(id, my) {
    input.value = "";
    view.innerHTML = "";
    view.appendChild(el("p", { text: "Loading…" }));
    get("/api/records/person/" + enc(id)).then(function (p) {
      if (my !== viewSeq) return;
      setTitle(p.name || p.id);
      var roles = el("ul", { class: "ds-roles" });
      (p.dramas || []).forEach(function (r) {
        var who = r.character ? " as " + r.character + (r.character_ja ? " [" + r.character_ja + "]" : "") : "";
        var link = el("a", { href: "#/drama/" + enc(r.drama_id), text: r.drama_id });
        roles.appendChild(el("li", { "data-id": r.drama_id }, [link, who]));
        // The drama's title in place of its id, once known.
        get("/api/records/drama/" + enc(r.drama_id)).then(function (d) { link.textContent = label(d); }, function () {});
      });
      view.innerHTML = "";
      view.appendChild(el("h2", { text: p.name + (p.name_ja ? " [" + p.name_ja + "]" : "") }));
      if (p.aka && p.aka.length) view.appendChild(el("p", { class: "ds-aka", text: "Also known as " + p.aka.join(" · ") }));
      view.appendChild(el("h3", { text: plural((p.dramas || []).length, "drama", "dramas") }));
      view.appendChild(roles);
    }, function (e) { if (my === viewSeq) { view.innerHTML = ""; view.appendChild(errorNode(e)); } });
  }

  function route() {
    var my = ++viewSeq;
    cancelSuggest();
    closeList();
    var full = (urlState ? (ours(location.hash) ? location.hash : "") : memHash).replace(/^#\/?/, "");
    var at = full.indexOf("?");
    var params = {};
    if (at >= 0) {
      full.slice(at + 1).split("&").forEach(function (kv) {
        var i = kv.indexOf("=");
        if (i > 0) params[dec(kv.slice(0, i))] = dec(kv.slice(i + 1));
      });
      full = full.slice(0, at);
    }
    var h = full.split("/").map(dec);
    if (h[0] === "search" && h[1]) showSearch(h[1], params, my);
    else if (h[0] === "drama" && h[1]) showDrama(h[1], my);
    else if (h[0] === "person" && h[1]) showPerson(h[1], my);
    else if (h[0] === "top100") showTop(h[1] === "season" ? { season: h[2] } : h[1] === "year" ? { year: h[2] } : {}, my);
    else showHome(my);
  }
  // A fragment that is not the widget's own (the host page's `#comments`) leaves it as it is.
  if (urlState) window.addEventListener("hashchange", function () { if (ours(location.hash)) route(); });
  route();
})();
