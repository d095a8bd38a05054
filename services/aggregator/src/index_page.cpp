#include "index_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

namespace throng::aggregator {

namespace {

// Instance and boot ids come from Redis: keep control characters out of the page.
std::string Printable(const std::string& text) {
  std::string out = text;
  std::replace_if(
      out.begin(), out.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  return out;
}

// Seconds from `since_s` to now, never negative (publisher clocks may run ahead); nullopt
// when there is no `since_s`.
std::optional<double> Age(double now_s, double since_s) {
  if (since_s <= 0) return std::nullopt;
  return std::max(0.0, now_s - since_s);
}

std::optional<double> PublishAge(double now_s, const InstanceSummary& instance) {
  return Age(now_s, static_cast<double>(instance.published_ms) / 1000.0);
}

std::string AgeText(std::optional<double> age) {
  return age ? fmt::format("{:.1f} s ago", *age) : std::string("never");
}

std::size_t SeriesOf(const ServiceView& view) {
  std::size_t series = 0;
  for (const auto& instance : view.instances) series += instance.series;
  return series;
}

}  // namespace

std::string RenderIndexText(const IndexPage& page) {
  std::string out = fmt::format("throng-aggregator {}: Redis {}\n", Printable(page.instance_id),
                                page.redis_up ? "up" : "DOWN (serving the last data read)");
  out += "/metrics  this aggregator's own metrics\n";
  for (const auto& [service, view] : page.services) {
    out += fmt::format("\n/metrics/{}  {} instance{}, {} series, read from Redis {}\n", service,
                       view->instances.size(), view->instances.size() == 1 ? "" : "s",
                       SeriesOf(*view), AgeText(Age(page.now_s, view->read_s)));
    for (const auto& instance : view->instances) {
      out += fmt::format("  {}  {} series  published {}  seq {}  boot {}{}\n",
                         Printable(instance.instance_id), instance.series,
                         AgeText(PublishAge(page.now_s, instance)), instance.seq,
                         Printable(instance.boot_id),
                         instance.held ? "  (held: gone since Redis lost its data)" : "");
    }
  }
  return out;
}

std::string RenderIndexJson(const IndexPage& page) {
  auto age_json = [](std::optional<double> age) {
    return age ? nlohmann::json(*age) : nlohmann::json(nullptr);
  };
  auto services = nlohmann::json::array();
  for (const auto& [service, view] : page.services) {
    auto instances = nlohmann::json::array();
    for (const auto& instance : view->instances) {
      instances.push_back({{"instance_id", instance.instance_id},
                           {"boot_id", instance.boot_id},
                           {"seq", instance.seq},
                           {"age_seconds", age_json(PublishAge(page.now_s, instance))},
                           {"series", instance.series},
                           {"held", instance.held}});
    }
    services.push_back({{"service", service},
                        {"path", "/metrics/" + service},
                        {"age_seconds", age_json(Age(page.now_s, view->read_s))},
                        {"series", SeriesOf(*view)},
                        {"instances", std::move(instances)}});
  }
  nlohmann::json body{{"instance_id", page.instance_id},
                      {"redis_up", page.redis_up},
                      {"services", std::move(services)}};
  // Ids come from Redis and may hold invalid UTF-8 (boot ids are not validated).
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace throng::aggregator
