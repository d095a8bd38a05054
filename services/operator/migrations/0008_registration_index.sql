-- Registration checks "no unit of this assignment is already this worker's" per candidate
-- unit; without an index led by worker_id that lookup read a whole index, so registration cost
-- grew with every unit in the database (bench/registration_plan.sh).
CREATE INDEX units_worker_assignment ON units (worker_id, assignment_id);
