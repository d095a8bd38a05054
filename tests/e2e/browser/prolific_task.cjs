// Prolific participants in a real browser (Debian's Chromium, headless): each arrives through
// the study link Prolific would open, reloads before submitting (same agent), submits, and must
// land on the completion page with the study's code. The completion page is answered by
// Playwright's routing, so nothing leaves the machine.
// Usage: node prolific_task.cjs <router base URL> <static_task run id> <static_react_task run id>
//        <completion URL> <completion code>
const { expect, runInChromium } = require("./chromium.cjs");

const [base, staticRun, reactRun, completionUrl, completionCode] = process.argv.slice(2);

// A fresh browser context whose completion page is answered locally.
async function openPage(browser, errors) {
  const context = await browser.newContext();
  await context.route((url) => url.href.startsWith(completionUrl), (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Submission complete</h1>" }));
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page };
}

// Runs `navigate` and returns the registration it caused: what the page sent and got back.
async function registration(page, navigate) {
  const answered = page.waitForResponse((r) => r.url().startsWith(`${base}/request_agent`));
  await navigate();
  const response = await answered;
  const received = await response.json();
  expect(received.data && received.data.agent_id,
         `request_agent answered ${JSON.stringify(received)}`);
  return { sent: JSON.parse(response.request().postData()).provider_data, received };
}

// Waits for the redirect to Prolific and checks the code it carries.
async function expectCompletionRedirect(page, who) {
  await page.waitForURL((url) => url.href.startsWith(completionUrl), { timeout: 15000 });
  const landed = new URL(page.url());
  const expected = new URL(completionUrl);
  expect(landed.origin + landed.pathname === expected.origin + expected.pathname,
         `${who} landed on ${page.url()}`);
  expect(landed.searchParams.get("cc") === completionCode,
         `${who} came back with cc=${landed.searchParams.get("cc")}, not ${completionCode}`);
  expect((await page.textContent("h1")) === "Submission complete", "the completion page shows");
  console.log(`ok - ${who} was sent to ${page.url()}`);
}

// The static_task page, with the link parameters the requester pastes into Prolific.
async function staticTaskParticipant(browser, errors) {
  const { context, page } = await openPage(browser, errors);
  const link =
    `${base}/?task_run_id=${staticRun}&participant_id=P1&study_id=S1&submission_id=SESS1`;
  const first = await registration(page, () => page.goto(link));
  await page.waitForSelector("#task:not([hidden])", { timeout: 15000 });
  expect(JSON.stringify(first.sent) === JSON.stringify({
    worker_name: "P1", agent_registration_id: "SESS1-P1", assignment_id: "SESS1",
    provider_type: "prolific", prolific_study_id: "S1" }),
         `request_agent sent ${JSON.stringify(first.sent)}`);
  const agent = first.received.data.agent_id;
  const sentence = (await page.textContent("blockquote")).trim();

  const again = (await registration(page, () => page.reload())).received.data.agent_id;
  await page.waitForSelector("#task:not([hidden])", { timeout: 15000 });
  expect(again === agent, `the reload got agent ${again}, not ${agent}`);
  expect((await page.textContent("blockquote")).trim() === sentence,
         "the reload shows the same sentence");
  console.log(`ok - P1 reloaded and kept agent ${agent} ("${sentence}")`);

  await page.check("input[name=sentiment][value=negative]");
  await page.fill("input[name=comment]", "from P1 on Prolific");
  await page.click("button[type=submit]");
  await expectCompletionRedirect(page, "P1 (static_task)");

  // Back to the study link after finishing: the task is done, not handed out again.
  await page.goto(link);
  await page.waitForSelector("#status.error", { timeout: 15000 });
  const status = await page.textContent("#status");
  expect(status.includes("already completed this task"), `after returning: '${status}'`);
  console.log("ok - P1 opening the study link again is told the task is done");
  await context.close();
}

// The React demo (mephisto-task 2.0.4 calls handleSubmitToProvider itself), opened with
// Prolific's own parameter names.
async function reactParticipant(browser, errors) {
  const { context, page } = await openPage(browser, errors);
  const first = await registration(page, () =>
    page.goto(`${base}/?task_run_id=${reactRun}&PROLIFIC_PID=P2&STUDY_ID=S1&SESSION_ID=SESS2`));
  await page.waitForSelector("#text", { timeout: 15000 });
  expect(first.sent.worker_name === "P2" && first.sent.agent_registration_id === "SESS2-P2" &&
         first.sent.provider_type === "prolific" && first.sent.prolific_study_id === "S1",
         `request_agent sent ${JSON.stringify(first.sent)}`);
  const agent = first.received.data.agent_id;

  const again = (await registration(page, () => page.reload())).received.data.agent_id;
  await page.waitForSelector("#text", { timeout: 15000 });
  expect(again === agent, `the reload got agent ${again}, not ${agent}`);
  console.log(`ok - P2 reloaded the React task and kept agent ${agent}`);

  await page.click("button:text-is('Good')");
  await expectCompletionRedirect(page, "P2 (static_react_task)");
  await context.close();
}

runInChromium(async (browser) => {
  const errors = [];
  const preview = await browser.newPage();
  preview.on("pageerror", (e) => errors.push(e.message));
  await preview.goto(`${base}/?task_run_id=${staticRun}`);
  await preview.waitForFunction(() =>
    document.getElementById("status").textContent.startsWith("Preview"));
  expect(await preview.isHidden("#task"), "a link without a participant must not show the task");
  console.log("ok - the study link without a participant shows the preview");
  await preview.close();

  await staticTaskParticipant(browser, errors);
  await reactParticipant(browser, errors);
  expect(errors.length === 0, `page errors: ${errors.join("; ")}`);
  console.log("ok - no page errors");
});
