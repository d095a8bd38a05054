#include "task_run_creator.hpp"

#include <filesystem>

#include "run_frontend_builder.hpp"

namespace throng::operator_ {

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
        spec.requester_name, spec.provider_type);
    auto requester = tx.exec_params1(
        "SELECT requester_id, provider_type FROM requesters WHERE requester_name = $1",
        spec.requester_name);
    if (requester[1].as<std::string>() != spec.provider_type) {
      return Fail("requester '" + spec.requester_name + "' belongs to provider '" +
                  requester[1].as<std::string>() + "', not '" + spec.provider_type +
                  "'; set provider.requester_name to another name");
    }
    auto requester_id = requester[0].as<std::int64_t>();
    CreatedRun created;
    created.task_run_id =
        tx.exec_params1(
              "INSERT INTO task_runs (task_id, requester_id, init_params, provider_type, task_type,"
              " max_num_concurrent_units, allowed_concurrent, maximum_units_per_worker,"
              " assignment_duration_seconds, task_config)"
              " VALUES ($1, $2, to_jsonb($3::text), $4, $5, $6, $7, $8, $9, $10::jsonb)"
              " RETURNING task_run_id",
              task_id, requester_id, spec.resolved_yaml, spec.provider_type, spec.blueprint_type,
              spec.max_num_concurrent_units, spec.allowed_concurrent, spec.maximum_units_per_worker,
              spec.assignment_duration_in_seconds, FrontendArgs(spec).dump())[0]
            .as<std::int64_t>();

    auto template_name = std::filesystem::path(spec.task_source).filename().string();
    for (const auto& row : spec.rows) {
      nlohmann::json shared = row;
      // As Mephisto's static HTML blueprint; a React bundle gets the row as it is.
      if (spec.blueprint_type == "static_task") shared["html"] = template_name;
      nlohmann::json assignment_data{{"shared", shared}};
      auto assignment_id =
          tx.exec_params1(
                "INSERT INTO assignments (task_id, task_run_id, requester_id, task_type,"
                " provider_type, assignment_data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)"
                " RETURNING assignment_id",
                task_id, created.task_run_id, requester_id, spec.blueprint_type, spec.provider_type,
                assignment_data.dump())[0]
              .as<std::int64_t>();
      ++created.assignments;
      for (int index = 0; index < spec.units_per_assignment; ++index) {
        tx.exec_params(
            "INSERT INTO units (assignment_id, unit_index, pay_amount, provider_type, status,"
            " task_type, task_id, task_run_id, requester_id)"
            " VALUES ($1, $2, $3, $4, 'created', $5, $6, $7, $8)",
            assignment_id, index, spec.task_reward, spec.provider_type, spec.blueprint_type,
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
