// The static-task page: the same HTTP flow as mephisto-task's useMephistoTask (task_config,
// request_agent, submit_task), rendering an HTML template whose ${field} placeholders are
// filled from the unit's data. Every failure is shown on the page, never swallowed.
(function () {
  "use strict";
  const MEPHISTO_TASK_VERSION = "2.0.4";
  const statusBox = document.getElementById("status");
  const form = document.getElementById("task");

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = kind || "";
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  async function postJson(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let payload = null;
    try {
      payload = await response.json();
    } catch (e) {
      throw new Error("the server answered " + response.status + " without JSON");
    }
    if (!response.ok) {
      throw new Error((payload && payload.error) || "the server answered " + response.status);
    }
    return payload;
  }

  function collectAnswers() {
    const answers = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) continue;
      answers[element.name] = element.value;
    }
    return answers;
  }

  async function run() {
    const configResponse = await fetch("task_config.json?mephisto_task_version=" + MEPHISTO_TASK_VERSION);
    if (!configResponse.ok) throw new Error("no task is being served here right now");
    const config = await configResponse.json();
    document.getElementById("title").textContent = config.task_title || "Task";
    document.getElementById("description").textContent = config.task_description || "";

    const workerName = getWorkerName();
    const assignmentId = getAssignmentId();
    if (workerName === null || assignmentId === null) {
      setStatus("Preview: this link names no worker and assignment, so no work is handed out.");
      return;
    }

    setStatus("Requesting a unit of work...");
    const packet = await postJson("request_agent", {
      provider_data: getAgentRegistration(),
      client_timestamp: Date.now() / 1000,
    });
    const data = packet.data || {};
    if (data.agent_id === null || data.agent_id === undefined) {
      setStatus(data.failure_reason || "No work is available for you right now.", "error");
      return;
    }
    const agentId = data.agent_id;
    const initData = data.init_task_data || {};
    const templateName = initData.html || config.template;
    const templateResponse = await fetch(templateName);
    if (!templateResponse.ok) throw new Error("the task template could not be loaded");
    const template = await templateResponse.text();
    form.innerHTML = template.replace(/\$\{(\w+)\}/g, (match, key) =>
      key in initData ? escapeHtml(initData[key]) : match);
    if (!form.querySelector("[type=submit]")) {
      form.insertAdjacentHTML("beforeend", '<p><button type="submit">Submit</button></p>');
    }
    form.hidden = false;
    setStatus("Please complete the task below.");

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const finalData = collectAnswers();
      form.querySelectorAll("button, input, select, textarea").forEach((e) => (e.disabled = true));
      setStatus("Submitting...");
      try {
        await postJson("submit_task", {
          USED_AGENT_ID: agentId,
          final_data: finalData,
          client_timestamp: Date.now() / 1000,
        });
      } catch (error) {
        form.querySelectorAll("button, input, select, textarea").forEach((e) => (e.disabled = false));
        setStatus("Your answer was not saved: " + error.message + ". Please try again.", "error");
        return;
      }
      form.hidden = true;
      setStatus("Thank you! Your answer was saved.", "done");
      // As mephisto-task, once the submission is acknowledged: the provider's glue takes over
      // (the Prolific glue sends the worker back to Prolific with the completion code).
      handleSubmitToProvider(finalData);
    });
  }

  run().catch((error) => setStatus("This task cannot start: " + error.message, "error"));
})();
