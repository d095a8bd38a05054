#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "embedded_migrations.hpp"
#include "throng/common/error.hpp"

namespace throng::operator_ {

struct MigrationReport {
  int applied = 0;          // migrations applied by this call
  int current_version = 0;  // schema version afterwards
};

// Applies pending migrations in version order, each in its own transaction, under a session
// advisory lock so that several operators (or the CLI) starting at once apply each exactly once.
Result<MigrationReport> ApplyMigrations(pqxx::connection& connection,
                                        const std::vector<Migration>& migrations);

// The highest applied version, 0 on an empty database.
int CurrentSchemaVersion(pqxx::connection& connection);

}  // namespace throng::operator_
