#pragma once

#include <cstddef>
#include <string>

namespace throng {

// `bytes` bytes from the operating system's cryptographic random source, as lowercase hex:
// for names and secrets that must not be guessed from earlier ones.
std::string RandomHex(std::size_t bytes);

// Lowercase hex of `size` bytes.
std::string ToHex(const unsigned char* bytes, std::size_t size);

}  // namespace throng
