#include "multipart_form.hpp"

#include <algorithm>
#include <cctype>

namespace throng::router {

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// The value of `key` in a header's parameters: form-data; name="x"; filename="y"
std::optional<std::string> HeaderParam(const std::string& header, const std::string& key) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto semi = header.find(';', pos);
    std::string part =
        Trim(header.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos));
    auto equals = part.find('=');
    if (equals != std::string::npos && Lower(Trim(part.substr(0, equals))) == key) {
      auto value = Trim(part.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MultipartBoundary(const std::string& content_type) {
  auto semi = content_type.find(';');
  if (Lower(Trim(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  if (semi == std::string::npos) return std::nullopt;
  auto boundary = HeaderParam(content_type.substr(semi + 1), "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) return std::nullopt;
  return boundary;
}

Result<std::vector<FormPart>> ParseMultipartForm(const std::string& body,
                                                 const std::string& boundary,
                                                 std::size_t max_parts) {
  const std::string delimiter = "--" + boundary;
  std::vector<FormPart> parts;
  auto pos = body.find(delimiter);
  if (pos == std::string::npos) return Fail("multipart body has no boundary line");
  pos += delimiter.size();
  while (true) {
    if (body.compare(pos, 2, "--") == 0) return parts;  // closing delimiter
    if (body.compare(pos, 2, "\r\n") != 0) return Fail("malformed multipart boundary line");
    pos += 2;
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string::npos) return Fail("multipart part without headers end");
    FormPart part;
    bool has_disposition = false;
    std::size_t line_start = pos;
    while (line_start < headers_end) {
      auto line_end = body.find("\r\n", line_start);
      if (line_end == std::string::npos || line_end > headers_end) line_end = headers_end;
      auto line = body.substr(line_start, line_end - line_start);
      auto colon = line.find(':');
      if (colon == std::string::npos) return Fail("malformed multipart part header");
      auto name = Lower(Trim(line.substr(0, colon)));
      auto value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        has_disposition = true;
        part.name = HeaderParam(value, "name").value_or("");
        part.filename = HeaderParam(value, "filename").value_or("");
      } else if (name == "content-type") {
        part.content_type = value;
      }
      line_start = line_end + 2;
    }
    if (!has_disposition || part.name.empty()) {
      return Fail("multipart part without a Content-Disposition name");
    }
    auto content_start = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string::npos) return Fail("multipart body is not terminated");
    part.body = body.substr(content_start, next - content_start);
    parts.push_back(std::move(part));
    if (parts.size() > max_parts) return Fail("too many multipart parts");
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace throng::router
