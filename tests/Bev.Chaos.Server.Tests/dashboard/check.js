// Loads the dashboard in Debian's Chromium, sees an injected fault listed, presses the emergency
// stop, sees the fault gone and the safety lock shown, and keeps a screenshot.
const { chromium } = require("playwright-core");

async function main() {
  const [url, faultId, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector(`tr[data-fault-id="${faultId}"]`, { timeout: 15000 });
    await page.waitForFunction(() => document.querySelector("#ws-state").textContent === "live", null, { timeout: 15000 });
    await page.waitForFunction(() => document.querySelectorAll("#scenarios tbody tr").length > 0, null, { timeout: 15000 });
    await page.click("#emergency-stop");
    await page.waitForSelector(`tr[data-fault-id="${faultId}"]`, { state: "detached", timeout: 15000 });
    await page.waitForSelector("#safety.locked", { timeout: 15000 });
    await page.waitForFunction(() => document.querySelector("#events").textContent.includes("emergency_stop"), null, { timeout: 15000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ events: await page.textContent("#events"), safety: await page.textContent("#safety") }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error));
  process.exit(1);
});
