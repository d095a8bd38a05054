#include "migrator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace throng::operator_ {

namespace {

// Arbitrary constant shared by every throng process that migrates the schema.
constexpr long long kMigrationLockKey = 0x7468726f6e67;  // "throng"

}  // namespace

int CurrentSchemaVersion(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  auto exists = tx.exec("SELECT to_regclass('throng_schema_migrations') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return 0;
  auto row = tx.exec("SELECT COALESCE(max(version), 0) FROM throng_schema_migrations");
  return row[0][0].as<int>();
}

Result<MigrationReport> ApplyMigrations(pqxx::connection& connection,
                                        const std::vector<Migration>& migrations) {
  std::vector<Migration> ordered = migrations;
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  MigrationReport report;
  try {
    {
      pqxx::nontransaction tx(connection);
      tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
      tx.exec(
          "CREATE TABLE IF NOT EXISTS throng_schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    int current = CurrentSchemaVersion(connection);
    std::set<int> applied;
    {
      pqxx::nontransaction tx(connection);
      for (const auto& row : tx.exec("SELECT version FROM throng_schema_migrations")) {
        applied.insert(row[0].as<int>());
      }
    }
    // A migration numbered below the database's version but never applied (two branches that
    // each added one) would be silently skipped, or applied out of order: refuse instead.
    for (const auto& migration : ordered) {
      if (migration.version < current && !applied.count(migration.version)) {
        pqxx::nontransaction tx(connection);
        tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
        return Fail(fmt::format(
            "database migration {:04d}_{} was never applied, but the schema is already at "
            "version {}; migrations must be applied in order: restore the database from before "
            "it or apply it by hand",
            migration.version, migration.name, current));
      }
    }
    for (const auto& migration : ordered) {
      if (migration.version <= current) continue;
      pqxx::work tx(connection);
      tx.exec(migration.sql);
      tx.exec_params("INSERT INTO throng_schema_migrations (version, name) VALUES ($1, $2)",
                     migration.version, std::string(migration.name));
      tx.commit();
      spdlog::info("applied migration {:04d}_{}", migration.version, migration.name);
      ++report.applied;
      current = migration.version;
    }
    report.current_version = current;
    pqxx::nontransaction tx(connection);
    tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
  } catch (const std::exception& e) {
    try {
      pqxx::nontransaction tx(connection);
      tx.exec("SELECT pg_advisory_unlock_all()");
    } catch (const std::exception&) {
      // The connection is gone; the server released the lock with it.
    }
    return Fail(std::string("database migration failed: ") + e.what());
  }
  return report;
}

}  // namespace throng::operator_
