#pragma once

#include <chrono>
#include <string>

namespace throng::cli {

// The status of `GET <target>` on 127.0.0.1:<port>, or 0 when nothing answers within `timeout`.
int LocalHttpStatus(int port, const std::string& target, std::chrono::milliseconds timeout);

}  // namespace throng::cli
