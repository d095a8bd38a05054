#pragma once

#include <cstdint>
#include <string>

namespace throng::cli {

// The link a requester hands workers for a run: the routers' base URL with the run named
// (so the router never serves another run) and the ids the provider puts into it. Mock and
// in-house links have placeholders to fill in; a Prolific link has Prolific's own
// {{%PROLIFIC_PID%}}-style placeholders, to paste as the study URL as it is.
std::string WorkerLink(const std::string& base_url, std::int64_t task_run_id,
                       const std::string& provider_type);

}  // namespace throng::cli
