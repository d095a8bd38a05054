// Shared by the browser tests: Debian's Chromium, headless, without the background network
// traffic that a closed network refuses.
const { chromium } = require("playwright-core");

function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs `body(browser)` with a fresh headless Chromium, closed afterwards; a failure is printed
// as FAIL and exits 1.
function runInChromium(body) {
  (async () => {
    const browser = await launchChromium();
    try {
      await body(browser);
    } finally {
      await browser.close();
    }
  })().catch((error) => {
    console.error(`FAIL: ${error.message}`);
    process.exit(1);
  });
}

module.exports = { launchChromium, expect, runInChromium };
