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
  if (!/^[1-9][0-9,]* results \(/.test(total)) throw new Error("total line is " + JSON.stringify(total));
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
  console.log("ok: suggestion, search, facets, sort, did you mean, drama view and related in chromium; screenshot at " + shot);
} finally {
  await browser.close();
}
