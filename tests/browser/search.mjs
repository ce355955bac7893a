// Types into the search page like a fan would, in Debian's chromium, and saves a screenshot.
// Usage: node search.mjs BASE_URL SCREENSHOT_PATH. Exits non-zero with a message on any miss.
import { chromium } from "playwright-core";

const [base, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  page.setDefaultTimeout(15000);
  await page.goto(base + "/");
  const box = page.getByRole("textbox", { name: "Search" }).or(page.locator(".ds-box input"));
  await box.first().click();
  await page.keyboard.type("seka", { delay: 60 });
  // Suggestions follow the keystrokes: the list for "s" or "se" may show before the one for
  // "seka" comes back, so wait (up to the timeout) for the first entry to be the drama, and
  // fail naming what was first instead.
  const first = page.locator(".ds-sugg li").first();
  await first.waitFor({ state: "visible" });
  try {
    await page.waitForFunction(() => {
      const li = document.querySelector(".ds-sugg li");
      return li && li.innerText.includes("Sekai no chuushin");
    }, null, { timeout: 5000 });
  } catch {
    throw new Error("first suggestion for \"seka\" is " + JSON.stringify(await first.innerText()));
  }
  await page.keyboard.press("Enter");
  const hit = page.locator('.ds-hit[data-kind="drama"][data-id="sekai-no-chuushin-de-ai-wo-sakebu"]');
  await hit.first().waitFor({ state: "visible" });
  // The total line, with "+" only past the server's counting cap (never on the sample).
  const total = await page.locator(".ds-total").innerText();
  if (!/^[1-9][0-9,]* results? \(/.test(total)) throw new Error("total line is " + JSON.stringify(total));
  await page.screenshot({ path: shot, fullPage: true });
  // Keyboard navigation: ArrowDown highlights the suggestion, Enter opens the drama page.
  await box.first().fill("");
  await page.keyboard.type("世界の", { delay: 60 });
  await page.locator(".ds-sugg li").first().waitFor({ state: "visible" });
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.locator('.ds-drama[data-id="sekai-no-chuushin-de-ai-wo-sakebu"]').waitFor({ state: "visible" });
  // Facets: filter by a station and see only its dramas; the filter is in the URL, and the
  // back button takes it away again.
  const api = (path) => page.evaluate(async (p) => (await fetch(p)).json(), path);
  await page.goto(base + "/#/search/love");
  const tbs = page.locator('.ds-facet[data-facet="station"][data-value="TBS"]');
  await tbs.waitFor({ state: "visible" });
  await tbs.click();
  await page.waitForFunction(() => location.hash.includes("station=TBS") && document.querySelector('.ds-facet.ds-on[data-value="TBS"]'));
  const filtered = await page.locator('.ds-hit[data-kind="drama"]').evaluateAll((ns) => ns.map((n) => n.dataset.id));
  if (!filtered.length) throw new Error("no drama left after filtering by TBS");
  for (const id of filtered) {
    const d = await api("/api/records/drama/" + encodeURIComponent(id));
    if (d.station !== "TBS") throw new Error("filtered by TBS, but " + id + " is on " + d.station);
  }
  await page.goBack();
  await page.waitForFunction(() => !location.hash.includes("station=") && document.querySelector(".ds-facet") && !document.querySelector(".ds-facet.ds-on"));
  // Sort by rating: the page lists the dramas in the API's order for that sort.
  await page.selectOption(".ds-sort", "rating");
  await page.waitForFunction(() => location.hash.includes("sort=rating") && document.querySelector(".ds-sort")?.value === "rating" && document.querySelector(".ds-hit"));
  const shown = await page.locator('.ds-hit[data-kind="drama"]').evaluateAll((ns) => ns.map((n) => n.dataset.id));
  const byRating = (await api("/api/search?limit=50&q=love&sort=rating")).hits.filter((h) => h.kind === "drama").map((h) => h.id);
  if (JSON.stringify(shown) !== JSON.stringify(byRating)) throw new Error("sorted by rating, the page shows " + shown + " but the API " + byRating);
  // "Did you mean" is a link to the rewritten search.
  await page.goto(base + "/#/search/" + encodeURIComponent("sekai no chushin de ai wo sakebe"));
  const dym = page.locator(".ds-dym a");
  await dym.waitFor({ state: "visible" });
  await dym.click();
  await page.waitForFunction(() => decodeURIComponent(location.hash).startsWith("#/search/sekai no chuushin de ai wo sakebu"));
  await hit.first().waitFor({ state: "visible" });
  // A related drama opens from the drama view.
  await page.goto(base + "/#/drama/sekai-no-chuushin-de-ai-wo-sakebu");
  const related = page.locator(".ds-related li").first();
  await related.waitFor({ state: "visible" });
  const relatedId = await related.getAttribute("data-id");
  await related.locator("a").click();
  await page.locator('.ds-drama[data-id="' + relatedId + '"]').waitFor({ state: "visible" });
  const text = (sel) => page.locator(sel).first().innerText();
  const must = (ok, what) => { if (!ok) throw new Error(what); };

  // 1. An API error is shown inline: the box, the facets and the navigation stay. The vote
  // facet answers results (or, from a server that refuses kind=vote, an inline error).
  await page.goto(base + "/#/search/love");
  await page.locator('.ds-facet[data-facet="kind"][data-value="vote"]').click();
  // Waits for the new answer to be drawn (the vote facet on, or the error), not for hits of
  // the page before it, which are still there for a moment after the hash changes.
  await page.waitForFunction(() => location.hash.includes("kind=vote") && document.querySelector('.ds-facet.ds-on[data-facet="kind"][data-value="vote"], .ds-main .ds-err'));
  must(await page.locator(".ds-box input").count() === 1 && await page.locator(".ds-facet").count() > 0, "the vote facet took the box or the facets away");
  await page.goto(base + "/#/search/love?season=foo");
  await page.locator(".ds-main .ds-err").waitFor({ state: "visible" });
  must(/season/.test(await text(".ds-err")), "the inline error does not say what was wrong: " + await text(".ds-err"));
  must(await page.locator(".ds-box input").count() === 1 && await page.locator("nav a").count() >= 2, "an error took the box or the navigation away");
  must(await page.locator('.ds-main a[href="#/search/love"]').count() === 1, "an error with a filter offers no way back to the unfiltered search");

  // 2. Escape closes the suggestions and keeps the text; the box is an ARIA combobox.
  const input = page.locator(".ds-box input");
  await input.fill("");
  await input.click();
  await page.keyboard.type("seka", { delay: 60 });
  await page.locator(".ds-sugg li").first().waitFor({ state: "visible" });
  must(await input.getAttribute("role") === "combobox" && await input.getAttribute("aria-expanded") === "true", "the open list is not announced");
  must(await page.locator("#" + await input.getAttribute("aria-controls")).getAttribute("role") === "listbox", "aria-controls does not name the listbox");
  await page.keyboard.press("ArrowDown");
  const activeId = await input.getAttribute("aria-activedescendant");
  must(activeId && await page.locator("#" + activeId).getAttribute("aria-selected") === "true", "aria-activedescendant does not name the selected option");
  const bg = await page.locator("#" + activeId).evaluate((n) => getComputedStyle(n).backgroundColor);
  must(bg !== "rgba(0, 0, 0, 0)" && bg !== "rgb(255, 255, 255)", "the highlighted option has no background");
  await page.keyboard.press("Escape");
  await page.locator(".ds-sugg").waitFor({ state: "hidden" });
  must(await input.inputValue() === "seka", "Escape emptied the box: " + JSON.stringify(await input.inputValue()));
  must(await input.getAttribute("aria-expanded") === "false" && !(await input.getAttribute("aria-activedescendant")), "aria-expanded stays true after Escape");

  // 3. Paging, in a search and in a drama's forum.
  await page.goto(base + "/#/search/love");
  await page.locator(".ds-pager .ds-next").click();
  await page.waitForFunction(() => location.hash.includes("offset=50") && /^51–/.test(document.querySelector(".ds-pager span")?.textContent || ""));
  const second = await page.locator(".ds-hit").evaluateAll((ns) => ns.map((n) => n.dataset.kind + "/" + n.dataset.id));
  const api2 = (await api("/api/search?limit=50&offset=50&q=love")).hits.map((h) => h.kind + "/" + h.id);
  must(second.length === api2.length && second.every((x) => api2.includes(x)), "page 2 is not the API's page 2");
  await page.locator(".ds-pager .ds-prev").click();
  await page.waitForFunction(() => !location.hash.includes("offset=") && /^1–50/.test(document.querySelector(".ds-pager span")?.textContent || ""));
  await page.goto(base + "/#/drama/sekai-no-chuushin-de-ai-wo-sakebu");
  await page.locator(".ds-forum .ds-next").click();
  await page.waitForFunction(() => /^31–60 of 90/.test(document.querySelector(".ds-forum .ds-pager span")?.textContent || ""));

  // 4. Wording: "1 result", "People (1)", no "0.0 ms"; the window title follows the view, and
  // the box is empty on views that are not a search.
  await page.goto(base + "/#/search/" + encodeURIComponent("Katachi Aru Mono"));
  await page.locator(".ds-total").waitFor();
  must(/^1 result \(/.test(await text(".ds-total")), "one hit reads " + JSON.stringify(await text(".ds-total")));
  must(await page.title() === "Katachi Aru Mono – search", "title is " + await page.title());
  await page.goto(base + "/#/search/" + encodeURIComponent("takayuki yamada"));
  await page.locator(".ds-group h3").first().waitFor();
  must(await page.locator('.ds-group[data-group="person"] h3').innerText() === "People (1)", "the person group is " + await page.locator('.ds-group[data-group="person"] h3').innerText());
  // 5. Groups follow the API's ranking: here the person comes first.
  const firstKind = (await api("/api/search?limit=50&q=takayuki%20yamada")).hits[0].kind;
  must(await page.locator(".ds-group").first().getAttribute("data-group") === firstKind, "the first group is not the kind of the API's first hit, " + firstKind);
  // A person is a page of their own (not a link back to the same search): their dramas, as whom.
  await page.locator('.ds-group[data-group="person"] .ds-hit a').first().click();
  await page.waitForFunction(() => location.hash.startsWith("#/person/"));
  await page.locator(".ds-roles li").first().waitFor();
  must(/Yamada Takayuki/.test(await text("h2")), "the person page is headed " + await text("h2"));
  await page.waitForFunction(() => /Sekai no chuushin/.test(document.querySelector('.ds-roles li[data-id="sekai-no-chuushin-de-ai-wo-sakebu"]')?.textContent || ""));
  must(/as Matsumoto Sakutaro/.test(await text('.ds-roles li[data-id="sekai-no-chuushin-de-ai-wo-sakebu"]')), "the role is missing");
  await page.goBack();
  await page.locator(".ds-total").waitFor();
  await page.reload();
  await page.locator(".ds-total").waitFor();
  must(!/0\.0 ms/.test(await text(".ds-total")), "a cached answer reads " + await text(".ds-total"));
  await page.goto(base + "/#/drama/sekai-no-chuushin-de-ai-wo-sakebu");
  await page.locator(".ds-drama").waitFor();
  must(await page.title() === "Sekai no chuushin de, ai wo sakebu" && await input.inputValue() === "", "drama view: title " + await page.title() + ", box " + await input.inputValue());

  // 9. The drama: facts, its Top 100 rank, songs, cast without "? as", a review read in full.
  await page.locator(".ds-rank").waitFor();
  must(/^#\d+ of all time/.test(await text(".ds-rank")), "no Top 100 rank: " + await text(".ds-rank"));
  must(/Katachi Aru Mono/.test(await text(".ds-songs")), "no songs");
  const cast = await page.locator(".ds-cast li").allInnerTexts();
  must(cast.some((c) => /^Matsumoto Fumiko/.test(c)) && !cast.some((c) => /\?/.test(c)), "cast: " + cast.join(" | "));
  must(await page.locator(".ds-drama h2").count() === 1, "a subtitle repeats the title");
  // The rating chart: ten rows, 10 at the top, whose counts add up to the API's counted.
  const dist = await api("/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/ratings");
  await page.locator(".ds-dist li").first().waitFor();
  const rows = await page.locator(".ds-dist li").evaluateAll((ns) => ns.map((n) => ({
    v: n.dataset.rating, c: Number(n.querySelector(".ds-dist-c").textContent.replace(/[^0-9]/g, "")), text: n.textContent })));
  must(rows.length === 10 && rows[0].v === "10" && rows[9].v === "1", "the chart's rows are " + rows.map((r) => r.v));
  must(rows.reduce((a, r) => a + r.c, 0) === dist.counted && dist.counted > 0, "the chart adds up to " + rows.reduce((a, r) => a + r.c, 0) + ", the API counted " + dist.counted);
  must(rows.every((r, i) => r.c === dist.counts[9 - i]), "the chart's counts are not the API's: " + rows.map((r) => r.c));
  must(/^10: \d[\d,]* ratings?$/.test(rows[0].text), "a row reads " + JSON.stringify(rows[0].text));
  const heading = await page.locator(".ds-ratings h3").innerText();
  must(heading.includes(dist.counted + " counted") && heading.includes(dist.mean.toFixed(2)), "the chart's heading is " + JSON.stringify(heading));
  const firstText = page.locator(".ds-forum .ds-hit").first();
  must(await firstText.getAttribute("data-kind") !== "vote", "the forum opens on votes");
  await firstText.locator(".ds-more").click();
  await page.waitForFunction(() => (document.querySelector(".ds-forum .ds-body")?.textContent || "").length > 80);
  // The forum by kind: the menu counts each kind, and choosing one shows only it.
  const forumAll = await api("/api/dramas/sekai-no-chuushin-de-ai-wo-sakebu/forum?limit=1&q=");
  const reviewLabel = await page.locator('.ds-forum-kind option[value="review"]').innerText();
  must(reviewLabel === "Reviews (" + forumAll.kinds.review.total + ")", "the review option reads " + JSON.stringify(reviewLabel));
  await page.selectOption(".ds-forum-kind", "review");
  await page.waitForFunction(() => /reviews?\)?$/.test(document.querySelector(".ds-forum-total")?.textContent || "") && document.querySelector(".ds-forum .ds-hit"));
  const kindsShown = await page.locator(".ds-forum .ds-hit").evaluateAll((ns) => ns.map((n) => n.dataset.kind));
  must(kindsShown.length > 0 && kindsShown.every((k) => k === "review"), "choosing reviews shows " + kindsShown.join(","));

  // 8. No U+FFFD on screen: a mojibake apostrophe reads as one.
  await page.goto(base + "/#/search/" + encodeURIComponent("Sekai no Chuusin doesn"));
  await page.locator(".ds-hit").first().waitFor();
  const body = await text(".ds-main");
  must(!body.includes("\uFFFD") && body.includes("doesn't"), "mojibake on the page: " + (body.match(/.{0,20}doesn.{0,10}/) || [""])[0]);

  // 6. Top 100: headers, the weighting in words, a season from the menu, empty and bad seasons.
  await page.goto(base + "/#/top100");
  await page.locator(".ds-top tbody tr").first().waitFor();
  must((await page.locator(".ds-top th").allInnerTexts()).join(",") === "Rank,Drama,Score,Mean,Ratings", "Top 100 headers");
  must(/8\.41/.test(await text(".ds-explain")) && !/m=|C=/.test(await text(".ds-view")), "the weighting is not in words");
  // The menu offers every season and year that has a list, not only those in this one.
  const scopes = await api("/api/top100/scopes");
  const offered = await page.locator(".ds-scope option").evaluateAll((ns) => ns.map((n) => n.value));
  must(scopes.seasons.length > 0 && scopes.seasons.every((s) => offered.includes("season/" + s)) && scopes.years.every((y) => offered.includes("year/" + y)),
    "the menu lacks seasons or years of /api/top100/scopes");
  await page.selectOption(".ds-scope", "season/Summer 2004");
  await page.waitForFunction(() => document.querySelector(".ds-top-title")?.textContent === "Top 100 – Summer 2004" && document.querySelector(".ds-top tbody tr"));
  must(await page.title() === "Top 100 – Summer 2004", "title is " + await page.title());
  await page.goto(base + "/#/top100/season/Summer%202099");
  await page.locator(".ds-empty").waitFor();
  must(/^No drama of Summer 2099 has enough ratings yet/.test(await text(".ds-empty")), "empty season reads " + await text(".ds-empty"));
  await page.goto(base + "/#/top100/season/foo");
  await page.locator(".ds-view .ds-err").waitFor();
  must(await page.locator(".ds-scope").count() === 1, "a bad season took the season menu away");

  // 11. The landing page: examples and a Top 10; no results offers help.
  await page.goto(base + "/#/");
  await page.locator(".ds-home-top tbody tr").first().waitFor();
  must(await page.locator(".ds-examples a").count() === 4 && await page.locator(".ds-home-top tbody tr").count() === 10, "landing page");
  await page.locator(".ds-examples a", { hasText: "sekachu" }).click();
  await hit.first().waitFor({ state: "visible" });
  await page.goto(base + "/#/search/zzzzqqq");
  await page.locator(".ds-noresults").waitFor();
  must(/spelling/.test(await text(".ds-noresults")), "no help for no results");

  // 10. A fragment that is not the widget's own leaves the results alone.
  await page.goto(base + "/#/search/love");
  await page.locator(".ds-hit").first().waitFor();
  await page.evaluate(() => { location.hash = "#comments"; });
  await page.waitForTimeout(300);
  must(await page.locator(".ds-hit").count() > 0, "the host's #comments emptied the results");
  // Embedded with data-url-state="off" in another site's page: the state stays in memory.
  const host = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  host.setDefaultTimeout(15000);
  // (A page of the search host's own origin: Chromium keeps other origins from calling a
  // loopback address, and what is checked here is the fragment, not CORS.)
  const hostUrl = base + "/embedding-site.html";
  await host.route(hostUrl,  (r) => r.fulfill({ contentType: "text/html", body:
    '<!doctype html><title>Host</title><p><a href="#comments">comments</a></p><div id="dorama-search" data-url-state="off"></div>' +
    '<script src="' + base + '/search.js"></script><h2 id="comments">Comments</h2>' }));
  await host.goto(hostUrl);
  await host.locator(".ds-box input").fill("love");
  await host.keyboard.press("Enter");
  await host.locator(".ds-hit").first().waitFor();
  await host.locator('.ds-facet[data-facet="station"][data-value="TBS"]').click();
  await host.locator(".ds-facet.ds-on").waitFor();
  await host.locator('a[href="#comments"]').click();
  await host.waitForTimeout(300);
  must(await host.evaluate(() => location.hash) === "#comments" && await host.locator(".ds-hit").count() > 0, "the host's link emptied the embedded results");
  await host.locator(".ds-hit a").first().click();
  await host.locator(".ds-drama").waitFor();
  must(await host.evaluate(() => location.hash) === "#comments" && await host.title() === "Host", "the embedded widget changed the host's URL or title");
  await host.close();

  console.log("ok: suggestion, search, facets, sort, did you mean, drama view and related, inline errors, combobox, paging, wording, groups, Top 100, mojibake, landing, embedding in chromium; screenshot at " + shot);
} finally {
  await browser.close();
}
