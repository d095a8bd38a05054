// Provider glue for the mock and in-house providers (as Mephisto's mock wrap_crowd_source.js):
// the worker and assignment come from the page URL.
/* exported getWorkerName, getAssignmentId, getAgentRegistration, handleSubmitToProvider */
function urlParam(name) {
  return new URLSearchParams(window.location.search).get(name);
}
function getWorkerName() {
  return urlParam("worker_id");
}
function getAssignmentId() {
  return urlParam("assignment_id") || urlParam("id");
}
function getAgentRegistration() {
  return {
    worker_name: getWorkerName(),
    agent_registration_id: getAssignmentId() + "-" + getWorkerName(),
    assignment_id: getAssignmentId(),
    provider_type: urlParam("id") && !urlParam("assignment_id") ? "inhouse" : "mock",
  };
}
function handleSubmitToProvider() {
  return true;
}
