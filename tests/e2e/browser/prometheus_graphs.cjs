// Screenshots, for a person to look at, of every dashboard's queries drawn by Prometheus's own
// graph page in Debian's Chromium (Grafana is not available here; this shows the data each
// panel would plot, not Grafana's rendering).
//
//   node prometheus_graphs.cjs <prometheus URL> <queries JSON> <output dir> <range, e.g. 5m>
//
// <queries JSON>: [{dashboard, title, expr}] (tests/deploy/dashboards_lint.cjs writes it, with
// the variables substituted). Writes <output dir>/<dashboard>-<page>.png with up to ten graphs
// per page: the graph page sorts its g<n>.* parameters as text, so g10 would land before g2.
const fs = require("fs");
const path = require("path");
const { runInChromium } = require("./chromium.cjs");

const [prometheus, queriesFile, outDir, range] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8")).filter((q) => q.dashboard && q.title);
const perPage = 10;
fs.mkdirSync(outDir, { recursive: true });

runInChromium(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (const dashboard of [...new Set(queries.map((q) => q.dashboard))]) {
    const ofDashboard = queries.filter((q) => q.dashboard === dashboard);
    for (let first = 0; first < ofDashboard.length; first += perPage) {
      const shown = ofDashboard.slice(first, first + perPage);
      const params = new URLSearchParams();
      shown.forEach((q, i) => {
        params.set(`g${i}.expr`, q.expr);
        params.set(`g${i}.tab`, "0");
        params.set(`g${i}.range_input`, range);
      });
      await page.goto(`${prometheus}/graph?${params}`, { waitUntil: "networkidle", timeout: 60000 });
      // Every expression in place, then every graph's range query answered and drawn.
      await page.waitForFunction(
        (n) => [...document.querySelectorAll("textarea[name=expr]")].filter((t) => t.value.trim() !== "").length >= n,
        shown.length, { timeout: 60000 });
      await page.waitForLoadState("networkidle", { timeout: 60000 });
      await page.waitForTimeout(500);
      const file = path.join(outDir, `${dashboard.replace(/\.json$/, "")}-${first / perPage + 1}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${file}: ${shown.map((q) => q.title).join("; ")}`);
    }
  }
});
