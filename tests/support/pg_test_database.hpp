#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <string>

namespace throng::testing {

// A fresh, empty database on the PostgreSQL server named by THRONG_TEST_PG_DSN (tests/run.sh
// starts one on a random loopback port), dropped again when the object goes away.
class PgTestDatabase {
 public:
  PgTestDatabase() {
    const char* admin = std::getenv("THRONG_TEST_PG_DSN");
    if (!admin || !*admin) {
      ADD_FAILURE() << "THRONG_TEST_PG_DSN is not set: run the suite through tests/run.sh";
      return;
    }
    admin_dsn_ = admin;
    std::random_device random;
    name_ = "throng_test_" + std::to_string(random()) + std::to_string(random());
    pqxx::connection connection(admin_dsn_);
    pqxx::nontransaction tx(connection);
    tx.exec("CREATE DATABASE " + tx.quote_name(name_));
    dsn_ = admin_dsn_ + (admin_dsn_.find('?') == std::string::npos ? "" : "");
    // Swap the database name at the end of a URL-style DSN.
    auto slash = admin_dsn_.rfind('/');
    auto query = admin_dsn_.find('?', slash);
    dsn_ = admin_dsn_.substr(0, slash + 1) + name_ +
           (query == std::string::npos ? "" : admin_dsn_.substr(query));
  }

  ~PgTestDatabase() {
    if (name_.empty() || admin_dsn_.empty()) return;
    try {
      pqxx::connection connection(admin_dsn_);
      pqxx::nontransaction tx(connection);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server is going away with the test run; nothing to clean.
    }
  }

  const std::string& dsn() const { return dsn_; }

 private:
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

}  // namespace throng::testing
