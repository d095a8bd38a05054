#pragma once

#include <pqxx/pqxx>

namespace throng::operator_ {

// The database side of stopping the operator (SPEC O6). First signal: units nobody holds go
// back from 'launched' to 'created' (no new work is handed out; a restarted operator launches
// them again) while assigned units are waited for. Second signal: active agents are
// disconnected and their units put back too.

// Puts launched units of live runs back to 'created'; returns how many.
int UnlaunchUnits(pqxx::connection& connection);
// Units of live runs someone is working on ('assigned').
long AssignedUnits(pqxx::connection& connection);
// Disconnects every active agent of a live run; returns how many.
int DisconnectActiveAgents(pqxx::connection& connection);

}  // namespace throng::operator_
