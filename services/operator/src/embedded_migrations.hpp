#pragma once

#include <vector>

namespace throng::operator_ {

// A numbered, forward-only schema change. The SQL is compiled into the binary from
// services/operator/migrations/NNNN_name.sql, so a deployed operator needs no extra files.
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& EmbeddedMigrations();

}  // namespace throng::operator_
