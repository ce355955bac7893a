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
  console.log("ok: suggestion, search and drama view in chromium; screenshot at " + shot);
} finally {
  await browser.close();
}
