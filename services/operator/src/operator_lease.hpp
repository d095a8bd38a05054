#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace throng::operator_ {

// One active operator per database (SPEC O7): the lease is a PostgreSQL session advisory lock
// held on a dedicated connection. A second operator started against the same database waits
// as a standby and takes over when the holder's connection goes away (a crash, kill -9, a
// lost network), which PostgreSQL notices at once for a closed socket.
class OperatorLease {
 public:
  OperatorLease(std::string dsn, std::string instance_id);

  // One attempt; true if this process holds the lease now. Throws on database errors.
  bool TryAcquire();
  // A round trip on the lease connection: false once it broke (the lease may be someone
  // else's by now, so the holder must stop).
  bool StillHeld();
  // The instance id of the operator holding the lease, as far as PostgreSQL knows.
  std::string Holder();

  // For repairs that must not run beside an operator (throng cleanup): takes the lease on
  // `connection` if nobody holds it, so no operator starts serving until ReleaseLease.
  static bool TryTakeLease(pqxx::connection& connection);
  static void ReleaseLease(pqxx::connection& connection);
  // The instance id of the operator holding the lease, or "" if nobody does.
  static std::string LeaseHolder(pqxx::connection& connection);

 private:
  std::string dsn_;
  std::string instance_id_;
  std::unique_ptr<pqxx::connection> connection_;
  bool held_ = false;
};

}  // namespace throng::operator_
