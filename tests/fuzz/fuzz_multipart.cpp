// libFuzzer target: multipart/form-data bodies as browsers (or attackers) send them.
// The first byte picks the boundary length; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "multipart_form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t boundary_length = 1 + data[0] % 16;
  if (size < 1 + boundary_length) return 0;
  std::string boundary(reinterpret_cast<const char*>(data + 1), boundary_length);
  std::string body(reinterpret_cast<const char*>(data + 1 + boundary_length),
                   size - 1 - boundary_length);
  auto content_type = "multipart/form-data; boundary=" + boundary;
  if (auto parsed = throng::router::MultipartBoundary(content_type)) {
    auto parts = throng::router::ParseMultipartForm(body, *parsed, 64);
    if (parts) {
      for (const auto& part : *parts) {
        if (part.name.empty()) __builtin_trap();  // the parser promises named parts
      }
    }
  }
  return 0;
}
