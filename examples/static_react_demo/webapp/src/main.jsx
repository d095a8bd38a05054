// A static React task in Mephisto's style: mephisto-task's useMephistoTask() fetches the task
// config, registers the worker through the router and hands over one data row
// ({id, text}); the worker rates the text and the answer goes back with handleSubmit().
// Build with `npm run build`; throng serves build/bundle.js next to its own index.html and
// wrap_crowd_source.js (blueprint.type: static_react_task).
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { useMephistoTask } from "mephisto-task";

function Frame({ title, children }) {
  return (
    <main style={{ maxWidth: "40em", margin: "2em auto", fontFamily: "sans-serif" }}>
      {title && <h1>{title}</h1>}
      {children}
    </main>
  );
}

function Onboarding({ onSubmit }) {
  return (
    <>
      <p>Before you start: read each text and say whether it is good or bad.</p>
      <button onClick={() => onSubmit({ understood: true })}>I understand</button>
    </>
  );
}

function RatingTask({ data, onSubmit }) {
  const [submitted, setSubmitted] = useState(false);
  if (submitted) return <p id="done">Thank you! Your answer has been submitted.</p>;
  const rate = (rating) => {
    setSubmitted(true);
    onSubmit({ rating, text_id: data.id });
  };
  return (
    <>
      <blockquote id="text">{data.text}</blockquote>
      <button onClick={() => rate("good")}>Good</button>{" "}
      <button onClick={() => rate("bad")}>Bad</button>
    </>
  );
}

function MainApp() {
  const {
    blockedReason,
    blockedExplanation,
    taskConfig,
    isPreview,
    isLoading,
    isOnboarding,
    initialTaskData,
    handleSubmit,
  } = useMephistoTask();
  const title = taskConfig?.task_title;

  // A refused registration leaves isLoading true, so check the block first.
  if (blockedReason !== null) {
    return (
      <Frame title={title}>
        <p id="blocked" role="alert">{blockedExplanation}</p>
      </Frame>
    );
  }
  if (isLoading) return <Frame><p id="loading">Loading…</p></Frame>;
  if (isPreview) {
    return (
      <Frame title={title}>
        <p id="preview">{taskConfig.task_description}</p>
        <p>This is a preview; accept the task to start working.</p>
      </Frame>
    );
  }
  if (isOnboarding) {
    return (
      <Frame title={title}>
        <Onboarding onSubmit={handleSubmit} />
      </Frame>
    );
  }
  return (
    <Frame title={title}>
      <RatingTask data={initialTaskData} onSubmit={handleSubmit} />
    </Frame>
  );
}

createRoot(document.getElementById("app")).render(<MainApp />);
