#pragma once

#include <memory>
#include <string>
#include <vector>

#include "service_view.hpp"

namespace throng::aggregator {

// What the aggregator's index page (GET /) shows: every service it serves, each live
// instance with its snapshot's age and series count, and whether Redis is readable.
struct IndexPage {
  std::string instance_id;  // this aggregator
  bool redis_up = false;
  double now_s = 0;
  std::vector<std::pair<std::string, std::shared_ptr<const ServiceView>>> services;
};

// For people: one line per service and per instance.
std::string RenderIndexText(const IndexPage& page);
// For scripts (?format=json): {"instance_id", "redis_up", "services": [{"service", "path",
// "age_seconds", "series", "instances": [{"instance_id", "boot_id", "seq", "age_seconds",
// "series", "held"}]}]}; an age is null when there is nothing to age.
std::string RenderIndexJson(const IndexPage& page);

}  // namespace throng::aggregator
