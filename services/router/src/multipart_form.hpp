#pragma once

#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::router {

// One part of a multipart/form-data body.
struct FormPart {
  std::string name;          // the form field
  std::string filename;      // set for file uploads
  std::string content_type;  // the part's Content-Type, if any
  std::string body;
  bool is_file() const { return !filename.empty(); }
};

// The boundary parameter of a multipart/form-data Content-Type, if it is one.
std::optional<std::string> MultipartBoundary(const std::string& content_type);

// Splits a multipart/form-data body (RFC 7578). Fails with a reason on anything malformed:
// missing boundary lines, parts without a name, more than `max_parts` parts.
Result<std::vector<FormPart>> ParseMultipartForm(const std::string& body,
                                                 const std::string& boundary,
                                                 std::size_t max_parts = 256);

}  // namespace throng::router
