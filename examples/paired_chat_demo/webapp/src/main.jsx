// A live task in Mephisto's style: mephisto-task's useMephistoLiveTask() registers the worker,
// opens the router's websocket and reports the agent's status: "waiting" until a partner
// arrives, "in task" while both chat, "partner disconnect" if the other one leaves. Messages
// go out with sendLiveUpdate() and come in through onLiveUpdate (the partner's, relayed by the
// operator; after a reload the whole history arrives as init_task_data.past_live_updates).
// Build with `npm run build` (blueprint.type: paired_chat).
import { useEffect, useReducer, useState } from "react";
import { createRoot } from "react-dom/client";
import { useMephistoLiveTask, STATUS_TO_TEXT_MAP } from "mephisto-task";

// Messages keyed by update_id: a resent update replaces itself instead of showing twice.
function messagesReducer(messages, update) {
  if (!update || typeof update.text !== "string") return messages;
  if (messages.some((m) => m.update_id === update.update_id)) return messages;
  return [...messages, update];
}

function Frame({ title, children }) {
  return (
    <main style={{ maxWidth: "40em", margin: "2em auto", fontFamily: "sans-serif" }}>
      {title && <h1>{title}</h1>}
      {children}
    </main>
  );
}

function Chat({ agentId, topic, messages, canChat, onSend }) {
  const [draft, setDraft] = useState("");
  const send = (event) => {
    event.preventDefault();
    if (!draft.trim()) return;
    onSend(draft.trim());
    setDraft("");
  };
  return (
    <>
      <p id="topic">Topic: {topic}</p>
      <ol id="messages">
        {messages.map((m) => (
          <li key={m.update_id} className={m.agent_id === agentId ? "mine" : "theirs"}>
            {m.agent_id === agentId ? "You" : "Partner"}: {m.text}
          </li>
        ))}
      </ol>
      <form onSubmit={send}>
        <input id="draft" value={draft} disabled={!canChat} onChange={(e) => setDraft(e.target.value)} />
        <button id="send" disabled={!canChat}>Send</button>
      </form>
    </>
  );
}

function Finish({ onSubmit }) {
  const [summary, setSummary] = useState("");
  return (
    <form onSubmit={(e) => { e.preventDefault(); onSubmit(summary); }}>
      <label>
        One-line summary: <input id="summary" value={summary} onChange={(e) => setSummary(e.target.value)} />
      </label>
      <button id="finish">Submit</button>
    </form>
  );
}

function MainApp() {
  const [messages, addMessage] = useReducer(messagesReducer, []);
  const [submitted, setSubmitted] = useState(false);
  const {
    blockedReason,
    blockedExplanation,
    taskConfig,
    isPreview,
    isLoading,
    agentId,
    initialTaskData,
    handleSubmit,
    connect,
    destroy,
    sendLiveUpdate,
    agentStatus,
    connectionStatus,
  } = useMephistoLiveTask({ onLiveUpdate: addMessage });
  const title = taskConfig?.task_title;

  useEffect(() => {
    if (agentId && !isPreview) connect(agentId);
  }, [agentId]);

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
      </Frame>
    );
  }
  if (submitted) return <Frame title={title}><p id="done">Thank you! Your summary has been submitted.</p></Frame>;

  const submit = (summary) => {
    setSubmitted(true);
    handleSubmit({ summary, messages: messages.length });
    destroy();
  };
  const canSubmit = agentStatus === "in task" || agentStatus === "partner disconnect";
  return (
    <Frame title={title}>
      <p id="connection">Connection: {connectionStatus || "none"}</p>
      <p id="status">Status: {agentStatus || "none"}</p>
      {agentStatus === "waiting" && <p id="waiting">Waiting for a partner to join…</p>}
      {STATUS_TO_TEXT_MAP[agentStatus] && <p id="status-text" role="alert">{STATUS_TO_TEXT_MAP[agentStatus]}</p>}
      <Chat
        agentId={agentId}
        topic={initialTaskData?.topic}
        messages={messages}
        canChat={agentStatus === "in task"}
        onSend={(text) => sendLiveUpdate({ text, agent_id: agentId }).then(addMessage)}
      />
      {canSubmit && <Finish onSubmit={submit} />}
    </Frame>
  );
}

createRoot(document.getElementById("app")).render(<MainApp />);
