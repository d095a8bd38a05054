-- The key of the agent credentials (agent ids as browsers hold them, "<id>-<hmac tag>"): made
-- once per database, so every operator of the cluster, the standby included, and every router
-- it tells verify the same ids, and they outlive restarts.
CREATE TABLE cluster_secrets (
  name       text PRIMARY KEY,
  secret     bytea NOT NULL CHECK (length(secret) >= 32),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- gen_random_uuid() draws on PostgreSQL's strong random source: two give 244 random bits.
INSERT INTO cluster_secrets (name, secret)
VALUES ('agent_credential_key',
        decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
