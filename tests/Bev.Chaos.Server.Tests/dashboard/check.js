// Loads the dashboard in Debian's Chromium, injects a fault through its form (first one the API
// refuses, whose message must show), sees it listed, tells the test and waits for its go (a line on
// stdin), presses the emergency stop, sees the fault gone and the safety lock shown, and keeps a
// screenshot. With a token (fourth argument) it first types the token into the page's token field,
// as a user of a server with auth.tokens does.
const { chromium } = require("playwright-core");
const readline = require("readline");

function nextLine(timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no go from the test within " + timeoutMs + " ms")), timeoutMs);
    readline.createInterface({ input: process.stdin }).once("line", (line) => { clearTimeout(timer); resolve(line); });
  });
}

async function main() {
  const [url, target, screenshot, token] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    if (token) {
      await page.fill("#token", token);
      await page.dispatchEvent("#token", "change");
      await page.waitForFunction(() => document.querySelector("#safety").textContent.startsWith("safety"), null, { timeout: 15000 });
    }
    await page.waitForSelector("#inject-injector option[value=service_pause]", { state: "attached", timeout: 15000 });
    await page.selectOption("#inject-injector", "service_pause");
    await page.fill("#inject-target", "pid:0");
    await page.click("#inject button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#inject-result").textContent.startsWith("refused: "), null, { timeout: 15000 });
    const refused = await page.textContent("#inject-result");
    await page.fill("#inject-target", target);
    await page.fill("#inject-duration", "60");
    await page.click("#inject button[type=submit]");
    await page.waitForFunction(() => !!document.querySelector("#inject-result").dataset.faultId, null, { timeout: 15000 });
    const faultId = await page.getAttribute("#inject-result", "data-fault-id");
    await page.waitForSelector(`tr[data-fault-id="${faultId}"]`, { timeout: 15000 });
    console.log(JSON.stringify({ injected: faultId, refused }));
    await nextLine(30000);
    await page.waitForFunction(() => document.querySelector("#ws-state").textContent === "live", null, { timeout: 15000 });
    await page.waitForFunction(() => document.querySelectorAll("#scenarios tbody tr").length > 0, null, { timeout: 15000 });
    await page.click("#emergency-stop");
    await page.waitForSelector(`tr[data-fault-id="${faultId}"]`, { state: "detached", timeout: 15000 });
    await page.waitForSelector("#safety.locked", { timeout: 15000 });
    await page.waitForFunction(() => document.querySelector("#events").textContent.includes("emergency_stop"), null, { timeout: 15000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ events: await page.textContent("#events"), safety: await page.textContent("#safety") }));
    process.stdin.destroy();
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error));
  process.exit(1);
});
