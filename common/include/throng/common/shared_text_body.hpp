#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace throng {

// A Beast response body holding either its own text or a shared, immutable one. A large
// document served to many clients at once (the aggregator's merged exposition) is then sent
// from one copy instead of one per response in flight.
struct SharedTextBody {
  class value_type {
   public:
    value_type() = default;
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      shared_.reset();
      return *this;
    }
    // Serves `text` as it is; it must not change while any response holds it.
    void Share(std::shared_ptr<const std::string> text) {
      shared_ = std::move(text);
      owned_.clear();
    }
    std::string_view view() const { return shared_ ? std::string_view(*shared_) : owned_; }
    std::size_t size() const { return view().size(); }
    void clear() { *this = std::string(); }

   private:
    std::string owned_;
    std::shared_ptr<const std::string> shared_;
  };

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>& /*header*/, const value_type& body)
        : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      auto text = body_.view();
      return {{const_buffers_type(text.data(), text.size()), false}};
    }

   private:
    const value_type& body_;
  };
};

}  // namespace throng
