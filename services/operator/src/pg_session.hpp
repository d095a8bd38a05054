#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <utility>

#include "illegal_transition.hpp"

namespace throng::operator_ {

// What a PgSession tells its owner, under each call's method name (any may be empty): the
// duration and outcome of every call, every status change the database refused, and every
// connection opened again after the previous one was lost.
struct DbObserver {
  std::function<void(const char* method, double seconds, bool ok)> call;
  std::function<void(const char* method, const IllegalTransition& refusal)> refused;
  std::function<void()> reconnected;
};

// One PostgreSQL connection for one thread, opened on first use and reopened on the call after
// it broke; every call is timed under a method name for the database latency metrics, and a
// status change the triggers refuse (SPEC O5) is logged and reported under that name too.
class PgSession {
 public:
  explicit PgSession(std::string dsn, DbObserver observer = {})
      : dsn_(std::move(dsn)), observer_(std::move(observer)) {}

  pqxx::connection& Connection() {
    if (!connection_ || !connection_->is_open()) {
      if (connection_) lost_ = true;  // it was open and is not any more
      connection_.reset();
      prepared_.clear();
      connection_ = std::make_unique<pqxx::connection>(dsn_);  // throws: still lost
      if (lost_) {
        lost_ = false;
        if (observer_.reconnected) observer_.reconnected();
      }
    }
    return *connection_;
  }

  // `name`, prepared as `sql` on the open connection the first time it is asked for there: a
  // statement on the hot path is parsed and planned once per connection instead of per call.
  // For use inside Timed (the connection is open); a reopened connection prepares again.
  const std::string& Prepared(const std::string& name, const char* sql) {
    if (!prepared_.contains(name)) {
      Connection().prepare(name, sql);
      prepared_.insert(name);
    }
    return name;
  }

  // False once a call found the connection broken, until one opens it again. (A connection
  // the server dropped while nobody used it is only found broken by the next call.)
  bool Connected() const { return connection_ && connection_->is_open(); }

  // Runs fn(connection) and returns its result; rethrows database errors after reporting them.
  template <typename Fn>
  auto Timed(const char* method, Fn&& fn) {
    auto start = std::chrono::steady_clock::now();
    auto report = [&](bool ok) {
      if (!observer_.call) return;
      observer_.call(
          method, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          ok);
    };
    try {
      auto result = fn(Connection());
      report(true);
      return result;
    } catch (const pqxx::broken_connection&) {
      if (connection_) lost_ = true;
      connection_.reset();
      prepared_.clear();
      report(false);
      throw;
    } catch (const pqxx::sql_error& e) {
      report(false);
      if (auto refusal = AsIllegalTransition(e)) {
        spdlog::warn("{}: status change refused: {}", method, refusal->message);
        if (observer_.refused) observer_.refused(method, *refusal);
      }
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
  std::set<std::string> prepared_;  // statement names prepared on connection_
  bool lost_ = false;               // a connection broke and none has been opened since
};

}  // namespace throng::operator_
