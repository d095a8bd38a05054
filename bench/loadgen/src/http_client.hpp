#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "target_url.hpp"

namespace throng::loadgen {

// One browser's HTTP connection: keep-alive, one request at a time, reconnecting when the
// server closed it. Every request has a deadline; a missed one is an error, never a hang.
class HttpClient : public std::enable_shared_from_this<HttpClient> {
 public:
  using Done = std::function<void(const boost::beast::error_code& error, unsigned status,
                                  const std::string& body)>;

  HttpClient(boost::asio::io_context& io, const TargetUrl& target,
             boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout);

  void Request(boost::beast::http::verb method, const std::string& path, std::string body,
               Done done);
  void Close();

 private:
  void Connect();
  void Send();
  void Receive();
  void Finish(const boost::beast::error_code& error);

  const TargetUrl& target_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  bool connected_ = false;
  bool reused_ = false;  // the request went on a connection kept alive from an earlier one
  Done done_;
};

}  // namespace throng::loadgen
