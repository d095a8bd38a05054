// Provider glue for Prolific in link mode. The study URL carries the participant, study and
// session ids (Prolific's own PROLIFIC_PID, STUDY_ID and SESSION_ID names are accepted too).
// Once a submission is stored the browser goes back to Prolific with the study's completion
// code: the run serves that link in task_config.json as provider.submit_redirect_url, because
// mephisto-task hands handleSubmitToProvider the submitted data only.
/* exported getWorkerName, getAssignmentId, getAgentRegistration, handleSubmitToProvider */
function prolificParam(...names) {
  const params = new URLSearchParams(window.location.search);
  for (const name of names) {
    if (params.get(name)) return params.get(name);
  }
  return null;  // mephisto-task shows the preview when the worker or assignment is null
}
function getWorkerName() {
  return prolificParam("participant_id", "PROLIFIC_PID");
}
function getAssignmentId() {
  return prolificParam("submission_id", "SESSION_ID");
}
function getProlificStudyId() {
  return prolificParam("study_id", "STUDY_ID");
}
function getAgentRegistration() {
  return {
    worker_name: getWorkerName(),
    // One Prolific session keeps its agent across reloads: this is the reconnect key.
    agent_registration_id: getAssignmentId() + "-" + getWorkerName(),
    assignment_id: getAssignmentId(),
    provider_type: "prolific",
    prolific_study_id: getProlificStudyId(),
  };
}

// Fetched while the participant works, so the redirect after submit needs no round trip.
let prolificRedirect = prolificFetchRedirect();
prolificRedirect.catch(() => {});  // retried at submit

async function prolificFetchRedirect() {
  const response = await fetch("/task_config.json");
  if (!response.ok) throw new Error("task_config.json answered " + response.status);
  const config = await response.json();
  const url = config.provider && config.provider.submit_redirect_url;
  if (!url) throw new Error("this run has no Prolific completion link");
  return url;
}

async function prolificRedirectUrl() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prolificRedirect;
    } catch (error) {
      if (attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      prolificRedirect = prolificFetchRedirect();
    }
  }
}

function prolificShowProblem(error) {
  const note = document.createElement("p");
  note.setAttribute("role", "alert");
  note.style.cssText = "padding:.8rem;background:#fde8e8;color:#8a1c1c;font-family:sans-serif";
  note.textContent = "Your answers were saved, but the way back to Prolific could not be loaded (" +
    error.message + "). Please return to Prolific and tell the researcher.";
  document.body.prepend(note);
}

// Called by mephisto-task (and the static_task page) once /submit_task has been acknowledged.
function handleSubmitToProvider() {
  prolificRedirectUrl()
    .then((url) => window.location.assign(url))
    .catch(prolificShowProblem);
  return true;
}
