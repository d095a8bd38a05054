#include "json_data_scanner.hpp"

#include <cstddef>

namespace throng::echo {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A single pass over the text; each Scan* consumes one grammar element from `pos` and returns
// false as soon as the text cannot be JSON.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool TopLevelValues(std::span<const std::string_view> keys,
                      std::span<std::optional<std::string_view>> values) {
    for (auto& value : values) value.reset();
    SkipWhitespace();
    if (AtEnd() || Peek() != '{') return false;
    bool well_formed = ScanItems('}', [&] {
      std::string_view key, value;
      if (!ScanMember(1, key, value)) return false;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (key == keys[i]) values[i] = value;
      }
      return true;
    });
    SkipWhitespace();
    return well_formed && pos_ == text_.size();  // nothing may follow the object
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }
  void SkipWhitespace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  bool ScanValue(int depth) {
    if (AtEnd()) return false;
    switch (Peek()) {
      case '"':
        return ScanString();
      case '{':
        return ScanObject(depth);
      case '[':
        return ScanArray(depth);
      case 't':
        return ScanLiteral("true");
      case 'f':
        return ScanLiteral("false");
      case 'n':
        return ScanLiteral("null");
      default:
        return ScanNumber();
    }
  }

  bool ScanString() {
    if (!Consume('"')) return false;
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // raw control character
      if (c != '\\') continue;
      if (AtEnd()) return false;
      char escaped = text_[pos_++];
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          break;
        case 'u':
          for (int i = 0; i < 4; ++i) {
            if (AtEnd() || !IsHexDigit(text_[pos_++])) return false;
          }
          break;
        default:
          return false;
      }
    }
    return false;  // unterminated
  }

  bool ScanObject(int depth) {
    if (depth >= kMaxJsonDepth) return false;
    return ScanItems('}', [&] {
      std::string_view key, value;
      return ScanMember(depth + 1, key, value);
    });
  }

  bool ScanArray(int depth) {
    if (depth >= kMaxJsonDepth) return false;
    return ScanItems(']', [&] { return ScanValue(depth + 1); });
  }

  // From an opening bracket to its `close`: items separated by commas, each consumed by
  // `scan_item`.
  template <typename ScanItem>
  bool ScanItems(char close, ScanItem scan_item) {
    ++pos_;  // the opening bracket
    SkipWhitespace();
    if (Consume(close)) return true;
    for (;;) {
      SkipWhitespace();
      if (!scan_item()) return false;
      SkipWhitespace();
      if (Consume(',')) continue;
      return Consume(close);
    }
  }

  // "key": value, with the key's characters between its quotes and the value's exact bytes.
  bool ScanMember(int depth, std::string_view& key, std::string_view& value) {
    auto key_start = pos_;
    if (!ScanString()) return false;
    key = text_.substr(key_start + 1, pos_ - key_start - 2);
    SkipWhitespace();
    if (!Consume(':')) return false;
    SkipWhitespace();
    auto value_start = pos_;
    if (!ScanValue(depth)) return false;
    value = text_.substr(value_start, pos_ - value_start);
    return true;
  }

  bool ScanLiteral(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool ScanNumber() {
    Consume('-');
    if (Consume('0')) {
      // no further integer digits after a leading zero
    } else if (!ScanDigits()) {
      return false;
    }
    if (Consume('.') && !ScanDigits()) return false;
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!ScanDigits()) return false;
    }
    return true;
  }
  bool ScanDigits() {
    auto start = pos_;
    while (!AtEnd() && IsDigit(Peek())) ++pos_;
    return pos_ > start;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

bool FindTopLevelValues(std::string_view object_text, std::span<const std::string_view> keys,
                        std::span<std::optional<std::string_view>> values) {
  if (values.size() != keys.size()) return false;
  return Scanner(object_text).TopLevelValues(keys, values);
}

std::optional<std::string_view> FindTopLevelValue(std::string_view object_text,
                                                  std::string_view key) {
  std::optional<std::string_view> value;
  if (!FindTopLevelValues(object_text, {&key, 1}, {&value, 1})) return std::nullopt;
  return value;
}

std::optional<std::string_view> PlainStringContent(std::string_view token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return std::nullopt;
  auto content = token.substr(1, token.size() - 2);
  for (char c : content) {
    if (c == '\\' || c == '"' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
  }
  return content;
}

}  // namespace throng::echo
