#include "task_run_creator.hpp"

#include <filesystem>

#include "run_frontend_builder.hpp"

namespace throng::operator_ {

namespace {

std::int64_t FindOrCreateQualification(pqxx::work& tx, const std::string& name) {
  tx.exec_params(
      "INSERT INTO qualifications (qualification_name) VALUES ($1)"
      " ON CONFLICT (qualification_name) DO NOTHING",
      name);
  return tx
      .exec_params1("SELECT qualification_id FROM qualifications WHERE qualification_name = $1",
                    name)[0]
      .as<std::int64_t>();
}

// A unit's init_task_data from a data row: as Mephisto's static HTML blueprint, which names
// its template; a React bundle gets the row as it is.
nlohmann::json SharedData(const TaskRunSpec& spec, nlohmann::json row) {
  if (spec.blueprint_type == "static_task") {
    row["html"] = std::filesystem::path(spec.task_source).filename().string();
  }
  return row;
}

void StoreValidationUnits(pqxx::work& tx, std::int64_t task_run_id, const TaskRunSpec& spec,
                          const std::string& unit_type, const std::vector<ValidationUnit>& units) {
  int position = 0;
  for (const auto& unit : units) {
    tx.exec_params(
        "INSERT INTO task_run_validation_units (task_run_id, unit_type, position, data, answers)"
        " VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)",
        task_run_id, unit_type, position++, SharedData(spec, unit.data).dump(),
        unit.answers.dump());
  }
}

// Stores the run's worker-pool rules where throng_register_worker reads them. Every named
// qualification is created now (as Mephisto's find_or_create_qualification), so a requirement
// always means the same thing: only granted values count.
void StoreWorkerPoolRules(pqxx::work& tx, std::int64_t task_run_id, const TaskRunSpec& spec) {
  const auto& rules = spec.worker_pool_rules;
  int position = 0;
  auto enforced = rules.EnforcedRequirements();
  enforced.push_back(
      {RequesterBlockQualification(spec.provider.requester_name), "DoesNotExist", nullptr});
  for (const auto& requirement : enforced) {
    tx.exec_params(
        "INSERT INTO task_run_qualifications (task_run_id, position, qualification_id,"
        " comparator, required_value) VALUES ($1, $2, $3, $4, NULLIF($5::jsonb, 'null'))",
        task_run_id, position++, FindOrCreateQualification(tx, requirement.qualification_name),
        requirement.comparator, requirement.value.dump());
  }
  if (rules.onboarding) {
    tx.exec_params(
        "UPDATE task_runs SET onboarding_qualification_id = $2, onboarding_data = $3::jsonb,"
        " onboarding_answers = $4::jsonb WHERE task_run_id = $1",
        task_run_id, FindOrCreateQualification(tx, rules.onboarding->qualification),
        rules.onboarding->data.dump(), rules.onboarding->answers.dump());
  }
  if (rules.screening) {
    tx.exec_params(
        "UPDATE task_runs SET screening_passed_qualification_id = $2,"
        " screening_failed_qualification_id = $3, max_screening_units = $4"
        " WHERE task_run_id = $1",
        task_run_id, FindOrCreateQualification(tx, rules.screening->passed_qualification),
        FindOrCreateQualification(tx, rules.block_qualification), rules.screening->max_units);
    StoreValidationUnits(tx, task_run_id, spec, "screening", rules.screening->units);
  }
  if (rules.golds) {
    const auto& golds = *rules.golds;
    for (const char* counter : {"-correct-golds", "-wrong-golds", "-completed-count"}) {
      FindOrCreateQualification(tx, golds.qualification_base + counter);
    }
    tx.exec_params(
        "UPDATE task_runs SET gold_qualification_base = $2, max_gold_units = $3, min_golds = $4,"
        " max_incorrect_golds = $5 WHERE task_run_id = $1",
        task_run_id, golds.qualification_base, golds.max_units, golds.min_golds,
        golds.max_incorrect_golds);
    StoreValidationUnits(tx, task_run_id, spec, "gold", golds.units);
  }
}

// The run's quality thresholds (the `monitoring` group), one column each.
void StoreQualityMonitors(pqxx::work& tx, std::int64_t task_run_id,
                          const QualityMonitors& monitors) {
  for (const auto& setting : QualityMonitorSettings()) {
    // sql-safe: column names come from the fixed table of settings, never from the config.
    tx.exec_params(
        "UPDATE task_runs SET " + tx.quote_name(setting.key) + " = $2 WHERE task_run_id = $1",
        task_run_id, monitors.*(setting.field));
  }
}

}  // namespace

Result<CreatedRun> CreateTaskRun(pqxx::connection& connection, const TaskRunSpec& spec,
                                 const std::string& data_dir) {
  try {
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO tasks (task_name, task_type) VALUES ($1, $2) ON CONFLICT (task_name) DO "
        "NOTHING",
        spec.task_name, spec.blueprint_type);
    auto task_id =
        tx.exec_params1("SELECT task_id FROM tasks WHERE task_name = $1", spec.task_name)[0]
            .as<std::int64_t>();
    tx.exec_params(
        "INSERT INTO requesters (requester_name, provider_type) VALUES ($1, $2) "
        "ON CONFLICT (requester_name) DO NOTHING",
        spec.provider.requester_name, spec.provider.type);
    auto requester = tx.exec_params1(
        "SELECT requester_id, provider_type FROM requesters WHERE requester_name = $1",
        spec.provider.requester_name);
    if (requester[1].as<std::string>() != spec.provider.type) {
      return Fail("requester '" + spec.provider.requester_name + "' belongs to provider '" +
                  requester[1].as<std::string>() + "', not '" + spec.provider.type +
                  "'; set provider.requester_name to another name");
    }
    auto requester_id = requester[0].as<std::int64_t>();
    CreatedRun created;
    created.task_run_id =
        tx.exec_params1(
              "INSERT INTO task_runs (task_id, requester_id, init_params, provider_type, task_type,"
              " max_num_concurrent_units, allowed_concurrent, maximum_units_per_worker,"
              " assignment_duration_seconds, task_config, submission_timeout_seconds,"
              " no_submission_patience_seconds)"
              " VALUES ($1, $2, to_jsonb($3::text), $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)"
              " RETURNING task_run_id",
              task_id, requester_id, spec.resolved_yaml, spec.provider.type, spec.blueprint_type,
              spec.max_num_concurrent_units, spec.allowed_concurrent, spec.maximum_units_per_worker,
              spec.assignment_duration_in_seconds, FrontendArgs(spec).dump(),
              spec.submission_timeout, spec.no_submission_patience)[0]
            .as<std::int64_t>();
    StoreWorkerPoolRules(tx, created.task_run_id, spec);
    StoreQualityMonitors(tx, created.task_run_id, spec.monitoring);

    for (const auto& row : spec.rows) {
      nlohmann::json assignment_data{{"shared", SharedData(spec, row)}};
      auto assignment_id =
          tx.exec_params1(
                "INSERT INTO assignments (task_id, task_run_id, requester_id, task_type,"
                " provider_type, assignment_data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)"
                " RETURNING assignment_id",
                task_id, created.task_run_id, requester_id, spec.blueprint_type, spec.provider.type,
                assignment_data.dump())[0]
              .as<std::int64_t>();
      ++created.assignments;
      for (int index = 0; index < spec.units_per_assignment; ++index) {
        tx.exec_params(
            "INSERT INTO units (assignment_id, unit_index, pay_amount, provider_type, status,"
            " task_type, task_id, task_run_id, requester_id)"
            " VALUES ($1, $2, $3, $4, 'created', $5, $6, $7, $8)",
            assignment_id, index, spec.task_reward, spec.provider.type, spec.blueprint_type,
            task_id, created.task_run_id, requester_id);
        ++created.units;
      }
    }
    auto static_dir = BuildRunFrontend(spec, created.task_run_id, data_dir);
    if (!static_dir) return tl::unexpected(static_dir.error());
    created.static_dir = *static_dir;
    tx.exec_params("UPDATE task_runs SET static_dir = $1 WHERE task_run_id = $2",
                   created.static_dir, created.task_run_id);
    tx.commit();
    return created;
  } catch (const std::exception& e) {
    return Fail(std::string("cannot create the task run: ") + e.what());
  }
}

}  // namespace throng::operator_
