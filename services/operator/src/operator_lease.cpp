#include "operator_lease.hpp"

namespace throng::operator_ {

namespace {

// pg_try_advisory_lock(int, int): the first key says "throng", the second "operator lease".
constexpr int kLockClass = 0x7468726f;
constexpr int kLockId = 1;
constexpr const char* kApplicationPrefix = "throng-operator ";

}  // namespace

OperatorLease::OperatorLease(std::string dsn, std::string instance_id)
    : dsn_(std::move(dsn)), instance_id_(std::move(instance_id)) {}

bool OperatorLease::TryAcquire() {
  if (held_) return true;
  if (!connection_ || !connection_->is_open()) {
    connection_ = std::make_unique<pqxx::connection>(dsn_);
    pqxx::nontransaction tx(*connection_);
    // Lets a standby (and an operator with psql) see who holds the lease.
    tx.exec("SET application_name = " + tx.quote(kApplicationPrefix + instance_id_));
  }
  held_ = TryTakeLease(*connection_);
  return held_;
}

bool OperatorLease::TryTakeLease(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  return tx
      .exec1("SELECT pg_try_advisory_lock(" + std::to_string(kLockClass) + ", " +
             std::to_string(kLockId) + ")")[0]
      .as<bool>();
}

void OperatorLease::ReleaseLease(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kLockClass) + ", " +
          std::to_string(kLockId) + ")");
}

bool OperatorLease::StillHeld() {
  if (!held_ || !connection_) return false;
  try {
    pqxx::nontransaction tx(*connection_);
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    held_ = false;
    return false;
  }
}

std::string OperatorLease::Holder() {
  pqxx::connection connection(dsn_);
  auto holder = LeaseHolder(connection);
  return holder.empty() ? "nobody" : holder;
}

std::string OperatorLease::LeaseHolder(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  auto rows = tx.exec(
      "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " +
      std::to_string(static_cast<unsigned>(kLockClass)) +
      " AND l.objid = " + std::to_string(kLockId) + " AND l.objsubid = 2");
  if (rows.empty()) return "";
  auto name = rows[0][0].as<std::string>();
  if (name.empty()) return "process " + rows[0][1].as<std::string>() + " (no application_name)";
  auto prefix = std::string(kApplicationPrefix);
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

}  // namespace throng::operator_
