#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "throng/common/command_line.hpp"

namespace throng::cli {

// `throng review <run> ...`: the review of a run's submitted work (Mephisto's review step).
// Every change is a row of worker_review.
struct ReviewRequest {
  enum class Action {
    kList,
    kApprove,
    kReject,
    kSoftReject,
    kBonus,
    kGrant,
    kRevoke,
    kBlock,
    kUnblock
  };
  Action action = Action::kList;
  std::int64_t task_run_id = 0;
  std::vector<std::int64_t> units;  // approve, reject, soft-reject; bonus: the one unit
  bool all_completed = false;       // --all: every unit awaiting review
  int bonus_cents = 0;
  std::string worker;         // a worker name of the run's provider
  std::string qualification;  // grant, revoke
  int value = 1;              // grant
  std::optional<std::string> note;
  bool as_json = false;
};

// The request a parsed `throng review` command line asks for, or the usage problem.
tl::expected<ReviewRequest, std::string> ParseReviewRequest(const CommandLine& args);

// "0.50" -> 50: an amount in currency units with at most two decimals, or nullopt.
std::optional<int> ParseCents(const std::string& amount);

// Carries out the request; exit code 0, or 1 (unknown run, unit or worker, a unit that is not
// awaiting review, a run without a block qualification) with nothing changed.
int Review(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
           std::ostream& err);

}  // namespace throng::cli
