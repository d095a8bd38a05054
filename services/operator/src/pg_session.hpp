#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>

namespace throng::operator_ {

// Observes the duration of each database call: (method, seconds, succeeded).
using DbObserver = std::function<void(const char* method, double seconds, bool ok)>;

// One PostgreSQL connection for one thread, opened on first use and reopened on the call after
// it broke; every call is timed under a method name for the database latency metrics.
class PgSession {
 public:
  explicit PgSession(std::string dsn, DbObserver observer = {})
      : dsn_(std::move(dsn)), observer_(std::move(observer)) {}

  pqxx::connection& Connection() {
    if (!connection_ || !connection_->is_open()) {
      connection_ = std::make_unique<pqxx::connection>(dsn_);
    }
    return *connection_;
  }

  // Runs fn(connection) and returns its result; rethrows database errors after timing them.
  template <typename Fn>
  auto Timed(const char* method, Fn&& fn) {
    auto start = std::chrono::steady_clock::now();
    auto report = [&](bool ok) {
      if (!observer_) return;
      observer_(method,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                ok);
    };
    try {
      auto result = fn(Connection());
      report(true);
      return result;
    } catch (const pqxx::broken_connection&) {
      connection_.reset();
      report(false);
      throw;
    } catch (...) {
      report(false);
      throw;
    }
  }

 private:
  std::string dsn_;
  DbObserver observer_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace throng::operator_
