#include "packet_fields.hpp"

#include <nlohmann/json.hpp>

namespace throng::router {

namespace {

using nlohmann::json;

// SAX events of the packet: keeps the top-level fields the router routes by.
class FieldReader : public nlohmann::json_sax<json> {
 public:
  explicit FieldReader(PacketFields& fields) : fields_(fields) {}

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t value) override {
    return Number(static_cast<double>(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return Number(static_cast<double>(value));
  }
  bool number_float(number_float_t value, const string_t&) override { return Number(value); }
  bool string(string_t& value) override {
    if (!TopLevel()) return Scalar();
    if (key_ == "packet_type") {
      fields_.packet_type = std::move(value);
    } else if (key_ == "subject_id") {
      fields_.subject_id = std::move(value);
    } else {
      Forget();
    }
    return true;
  }
  bool binary(binary_t&) override { return Scalar(); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) object_ = true;
    if (TopLevel()) Forget();
    ++depth_;
    return true;
  }
  bool key(string_t& value) override {
    if (depth_ == 1) key_ = value;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (TopLevel()) Forget();
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  bool object() const { return object_; }

 private:
  bool TopLevel() const { return depth_ == 1; }
  // A value of the wrong kind for a field replaces an earlier one, as in a document.
  bool Scalar() {
    if (TopLevel()) Forget();
    return true;
  }
  bool Number(double value) {
    if (TopLevel() && key_ == "client_timestamp") {
      fields_.client_timestamp = value;
      return true;
    }
    return Scalar();
  }
  void Forget() {
    if (key_ == "packet_type") fields_.packet_type.reset();
    if (key_ == "subject_id") fields_.subject_id.reset();
    if (key_ == "client_timestamp") fields_.client_timestamp = 0;
  }

  PacketFields& fields_;
  std::string key_;
  int depth_ = 0;
  bool object_ = false;
};

}  // namespace

std::optional<PacketFields> ReadPacketFields(std::string_view text) {
  PacketFields fields;
  FieldReader reader(fields);
  bool parsed = json::sax_parse(text.begin(), text.end(), &reader, json::input_format_t::json,
                                /*strict=*/true);
  if (!parsed || !reader.object()) return std::nullopt;
  return fields;
}

}  // namespace throng::router
