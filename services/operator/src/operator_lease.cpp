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
    // sql-safe: SET takes no parameters; the name is quoted by the driver.
    tx.exec("SET application_name = " + tx.quote(kApplicationPrefix + instance_id_));
  }
  held_ = TryTakeLease(*connection_);
  return held_;
}

bool OperatorLease::TryTakeLease(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  return tx.exec_params1("SELECT pg_try_advisory_lock($1, $2)", kLockClass, kLockId)[0].as<bool>();
}

void OperatorLease::ReleaseLease(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  tx.exec_params("SELECT pg_advisory_unlock($1, $2)", kLockClass, kLockId);
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
  // pg_locks shows the two keys as oid (unsigned) columns.
  auto rows = tx.exec_params(
      "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid"
      " AND l.objid = $2::bigint::oid AND l.objsubid = 2",
      static_cast<std::int64_t>(static_cast<unsigned>(kLockClass)),
      static_cast<std::int64_t>(kLockId));
  if (rows.empty()) return "";
  auto name = rows[0][0].as<std::string>();
  if (name.empty()) return "process " + rows[0][1].as<std::string>() + " (no application_name)";
  auto prefix = std::string(kApplicationPrefix);
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

}  // namespace throng::operator_
