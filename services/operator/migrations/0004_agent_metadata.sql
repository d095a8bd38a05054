-- Metadata a worker sends after the task (mephisto-task's /submit_metadata: tips, feedback,
-- opinions), merged per agent.
ALTER TABLE agent_data ADD COLUMN metadata jsonb;
