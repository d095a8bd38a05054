#pragma once

#include <string>
#include <tl/expected.hpp>

namespace throng {

// An expected failure (bad input, unreachable dependency), reported as a value.
struct Error {
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> Fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace throng
