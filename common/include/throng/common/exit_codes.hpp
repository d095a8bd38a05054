#pragma once

namespace throng {

// Process exit codes shared by every binary (documented in docs/config.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;     // failure while running
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitConfig = 3;      // invalid configuration
inline constexpr int kExitDependency = 4;  // PostgreSQL, Redis or a port unavailable at start

}  // namespace throng
