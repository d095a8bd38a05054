#include "http_probe.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace throng::cli {

int LocalHttpStatus(int port, const std::string& target, std::chrono::milliseconds timeout) {
  namespace http = boost::beast::http;
  using boost::asio::ip::tcp;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  int status = 0;
  // One deadline for connect, write and read: asynchronous operations honour it.
  stream.expires_after(timeout);
  stream.async_connect(
      tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"),
                    static_cast<unsigned short>(port)),
      [&](boost::beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, request, [&](boost::beast::error_code write_ec, std::size_t) {
          if (write_ec) return;
          http::async_read(stream, buffer, response,
                           [&](boost::beast::error_code read_ec, std::size_t) {
                             if (!read_ec) status = static_cast<int>(response.result_int());
                           });
        });
      });
  io.run();
  return status;
}

}  // namespace throng::cli
