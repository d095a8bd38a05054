// Screenshots, for a person to look at, of every dashboard's queries drawn by Prometheus's own
// graph page in Debian's Chromium (Grafana is not available here; this shows the data each
// panel would plot, not Grafana's rendering).
//
//   node prometheus_graphs.cjs <prometheus URL> <queries JSON> <output dir> <range, e.g. 5m>
//
// <queries JSON>: [{dashboard, title, expr}] (tests/deploy/dashboards_lint.cjs writes it, with
// the variables substituted). Writes <output dir>/<dashboard>.png, one graph per query.
const fs = require("fs");
const path = require("path");
const { runInChromium } = require("./chromium.cjs");

const [prometheus, queriesFile, outDir, range] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8")).filter((q) => q.dashboard && q.title);
fs.mkdirSync(outDir, { recursive: true });

runInChromium(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (const dashboard of [...new Set(queries.map((q) => q.dashboard))]) {
    const params = new URLSearchParams();
    queries.filter((q) => q.dashboard === dashboard).forEach((q, i) => {
      params.set(`g${i}.expr`, q.expr);
      params.set(`g${i}.tab`, "0");
      params.set(`g${i}.range_input`, range);
    });
    await page.goto(`${prometheus}/graph?${params}`, { waitUntil: "networkidle", timeout: 60000 });
    // Each graph draws once its range query has answered.
    await page.waitForTimeout(2000);
    const file = path.join(outDir, `${dashboard.replace(/\.json$/, "")}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
  }
});
