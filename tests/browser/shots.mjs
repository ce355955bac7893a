// Screenshots of the search page at 1280 and 375 px: a search, a drama, the Top 100, the
// landing page. Usage: node shots.mjs BASE_URL SCREENSHOT_DIR. Checks, at each width, that the
// view rendered, and at 375 px that the results column takes (nearly) the whole width.
import { chromium } from "playwright-core";

const [base, dir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const views = [
  ["search", "/#/search/love", ".ds-hit"],
  ["drama", "/#/drama/sekai-no-chuushin-de-ai-wo-sakebu", ".ds-forum .ds-hit"],
  ["top100", "/#/top100", ".ds-top tbody tr"],
  ["home", "/#/", ".ds-home-top tbody tr"],
];
try {
  for (const width of [1280, 375]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(15000);
    for (const [name, path, ready] of views) {
      await page.goto(base + path);
      await page.locator(ready).first().waitFor({ state: "visible" });
      if (width === 375 && name === "search") {
        const w = await page.locator(".ds-main").evaluate((n) => n.getBoundingClientRect().width);
        if (w < 0.8 * 375) throw new Error("at 375 px the results column is " + w + " px wide");
      }
      if (width === 375 && name === "top100") {
        // Every score and mean is on one line, and nothing is wider than the screen.
        const wrapped = await page.locator(".ds-top tbody td.ds-num").evaluateAll((tds) => tds.filter((td) => {
          const r = document.createRange();
          r.selectNodeContents(td);
          return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
        }).map((td) => td.textContent));
        if (wrapped.length) throw new Error("at 375 px these Top 100 numbers wrap: " + wrapped.join(", "));
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scroll > 375) throw new Error("the Top 100 at 375 px is " + scroll + " px wide");
      }
      if (name === "drama") {
        // The rating chart is in the shot, and at 375 px the page is no wider than the screen.
        await page.locator(".ds-dist li, .ds-ratings .ds-empty").first().waitFor({ state: "visible" });
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width === 375 && scroll > 375) throw new Error("the drama page at 375 px is " + scroll + " px wide");
      }
      await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
    }
    await page.close();
  }
  console.log("ok: screenshots in " + dir);
} finally {
  await browser.close();
}
