// A real browser (Debian's Chromium, headless) works through the demo task as a person would:
// the preview, three workers who each read their sentence, pick an answer and submit, and a
// reload after submitting. Usage: node complete_demo.cjs <router base URL>
const { launchChromium, expect } = require("./chromium.cjs");

const base = process.argv[2];
const workers = ["browser-1", "browser-2", "browser-3"];


(async () => {
  const browser = await launchChromium();
  try {
    const errors = [];
    const preview = await browser.newPage();
    preview.on("pageerror", (e) => errors.push(e.message));
    await preview.goto(`${base}/`);
    await preview.waitForFunction(() => document.getElementById("status").textContent.startsWith("Preview"));
    expect(await preview.isHidden("#task"), "the preview must not show the task form");
    console.log("ok - preview page without a worker shows the preview");

    for (const worker of workers) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(e.message));
      const url = `${base}/?worker_id=${worker}&assignment_id=a-${worker}`;
      await page.goto(url);
      await page.waitForSelector("#task:not([hidden])", { timeout: 15000 });
      const sentence = (await page.textContent("blockquote")).trim();
      expect(sentence.length > 0 && !sentence.includes("${"), `no sentence rendered: '${sentence}'`);
      expect((await page.textContent("h1")) === "Rate the sentiment of a sentence", "title from task_config.json");
      await page.check("input[name=sentiment][value=positive]");
      await page.fill("input[name=comment]", `from ${worker}`);
      await page.click("button[type=submit]");
      await page.waitForSelector("#status.done", { timeout: 15000 });
      console.log(`ok - ${worker} rated "${sentence}" and submitted`);

      await page.reload();
      await page.waitForSelector("#status.error", { timeout: 15000 });
      const status = await page.textContent("#status");
      expect(status.includes("already completed this task"), `after reload: '${status}'`);
      console.log(`ok - ${worker} reloading after submitting is told the task is done`);
      await context.close();
    }
    expect(errors.length === 0, `page errors: ${errors.join("; ")}`);
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(`FAIL: ${error.message}`);
  process.exit(1);
});
