-- Workers are identified by their name within their provider: Prolific participant "abc" and
-- mock worker "abc" are two workers, with their own units, limits and qualifications.
ALTER TABLE workers DROP CONSTRAINT workers_worker_name_key;
ALTER TABLE workers ADD CONSTRAINT workers_worker_name_provider_type_key
  UNIQUE (worker_name, provider_type);

-- The worker of that name and provider, registered now if new.
CREATE FUNCTION throng_worker_id(p_worker_name text, p_provider_type text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_worker bigint;
BEGIN
  INSERT INTO workers (worker_name, provider_type) VALUES (p_worker_name, p_provider_type)
    ON CONFLICT (worker_name, provider_type) DO NOTHING;
  SELECT w.worker_id INTO v_worker FROM workers w
   WHERE w.worker_name = p_worker_name AND w.provider_type = p_provider_type;
  RETURN v_worker;
END;
$$;

-- throng_register_agent (0002) and throng_register_worker (0006) each find the worker by name
-- alone. Rather than restating them here, their current definitions get just that statement
-- replaced; a definition without it (changed by another migration) stops this one instead
-- of being overwritten.
DO $migration$
DECLARE
  v_function   text;
  v_definition text;
  v_patched    text;
BEGIN
  FOREACH v_function IN ARRAY ARRAY['throng_register_agent', 'throng_register_worker'] LOOP
    v_definition := pg_get_functiondef(v_function::regproc);
    v_patched := replace(v_definition,
      E'  INSERT INTO workers (worker_name, provider_type) VALUES (p_worker_name, p_provider_type)\n'
      || E'    ON CONFLICT (worker_name) DO NOTHING;\n'
      || E'  SELECT w.worker_id INTO v_worker FROM workers w WHERE w.worker_name = p_worker_name;\n',
      E'  v_worker := throng_worker_id(p_worker_name, p_provider_type);\n');
    IF v_patched = v_definition THEN
      RAISE EXCEPTION '% does not find its worker as 0011 expects; update 0011', v_function;
    END IF;
    EXECUTE v_patched;
  END LOOP;
END;
$migration$;

-- For people running tasks (psql): the worker of that name, of p_provider_type or, when that is
-- NULL, of whichever provider has the name (an error if several do); NULL if none.
CREATE FUNCTION throng_find_worker(p_worker_name text, p_provider_type text)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_workers   bigint[];
  v_providers text;
BEGIN
  SELECT array_agg(w.worker_id), string_agg(w.provider_type, ', ' ORDER BY w.provider_type)
    INTO v_workers, v_providers
    FROM workers w
   WHERE w.worker_name = p_worker_name
     AND (p_provider_type IS NULL OR w.provider_type = p_provider_type);
  IF cardinality(v_workers) > 1 THEN
    RAISE EXCEPTION 'worker name % is taken in several providers (%): name the provider as the '
                    'last argument', p_worker_name, v_providers;
  END IF;
  RETURN v_workers[1];
END;
$$;

-- Now with the worker's provider as an optional last argument.
DROP FUNCTION throng_grant_qualification(text, text, integer);
CREATE FUNCTION throng_grant_qualification(p_worker_name text, p_qualification_name text,
                                           p_value integer DEFAULT 1,
                                           p_provider_type text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_worker bigint := throng_find_worker(p_worker_name, p_provider_type);
BEGIN
  IF v_worker IS NULL THEN
    RAISE EXCEPTION 'unknown worker % (provider %): it has to register once before it can be '
                    'granted a qualification', p_worker_name, COALESCE(p_provider_type, 'any');
  END IF;
  PERFORM throng_grant_qualification_to(v_worker, p_qualification_name, p_value);
END;
$$;

-- true if the worker had the qualification.
DROP FUNCTION throng_revoke_qualification(text, text);
CREATE FUNCTION throng_revoke_qualification(p_worker_name text, p_qualification_name text,
                                            p_provider_type text DEFAULT NULL)
RETURNS boolean
LANGUAGE sql AS $$
  WITH revoked AS (
    DELETE FROM granted_qualifications g
     USING qualifications q
     WHERE g.worker_id = throng_find_worker(p_worker_name, p_provider_type)
       AND g.qualification_id = q.qualification_id
       AND q.qualification_name = p_qualification_name
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM revoked);
$$;
