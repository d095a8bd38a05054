#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "embedded_migrations.hpp"
#include "migrator.hpp"
#include "pg_test_database.hpp"

namespace throng::operator_ {
namespace {

TEST(Migrator, AppliesEverythingOnceAndIsIdempotent) {
  testing::PgTestDatabase db;
  pqxx::connection connection(db.dsn());
  EXPECT_EQ(CurrentSchemaVersion(connection), 0);
  auto first = ApplyMigrations(connection, EmbeddedMigrations());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->applied, static_cast<int>(EmbeddedMigrations().size()));
  EXPECT_EQ(first->current_version, EmbeddedMigrations().back().version);
  auto second = ApplyMigrations(connection, EmbeddedMigrations());
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->applied, 0);
  EXPECT_EQ(second->current_version, first->current_version);
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM throng_schema_migrations")[0][0].as<int>(),
            static_cast<int>(EmbeddedMigrations().size()));
}

TEST(Migrator, ConcurrentStartersApplyEachMigrationExactlyOnce) {
  testing::PgTestDatabase db;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> starters;
  for (int i = 0; i < 6; ++i) {
    starters.emplace_back([&] {
      pqxx::connection connection(db.dsn());
      auto report = ApplyMigrations(connection, EmbeddedMigrations());
      if (report) {
        applied += report->applied;
      } else {
        ++failures;
      }
    });
  }
  for (auto& starter : starters) starter.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(applied, static_cast<int>(EmbeddedMigrations().size()));
}

TEST(Migrator, AFailingMigrationLeavesTheSchemaAtThePreviousVersion) {
  testing::PgTestDatabase db;
  pqxx::connection connection(db.dsn());
  std::vector<Migration> migrations = EmbeddedMigrations();
  migrations.push_back({9999, "broken", "CREATE TABLE broken (; -- syntax error"});
  auto report = ApplyMigrations(connection, migrations);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("migration"), std::string::npos);
  EXPECT_EQ(CurrentSchemaVersion(connection), EmbeddedMigrations().back().version);
  // And the advisory lock was released: a correct run still works.
  EXPECT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()));
}

TEST(Migrator, AMigrationNumberedBelowTheSchemaButNeverAppliedIsRefused) {
  testing::PgTestDatabase db;
  pqxx::connection connection(db.dsn());
  ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()));
  {
    pqxx::work tx(connection);
    tx.exec("DELETE FROM throng_schema_migrations WHERE version = 2");  // as if added later
    tx.commit();
  }
  auto report = ApplyMigrations(connection, EmbeddedMigrations());
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("0002_worker_pool_functions was never applied"),
            std::string::npos)
      << report.error().message;
}

}  // namespace
}  // namespace throng::operator_
