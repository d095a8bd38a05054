#include "run_frontend_builder.hpp"

#include <filesystem>
#include <fstream>
#include <map>

namespace throng {
const std::map<std::string, std::string>& EmbeddedFrontendFiles();
}

namespace throng::operator_ {

namespace fs = std::filesystem;

namespace {

Result<void> WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return Fail("cannot write '" + path.string() + "'");
  return {};
}

}  // namespace

Result<std::string> BuildRunFrontend(const TaskRunSpec& spec, std::int64_t task_run_id,
                                     const std::string& data_dir) {
  fs::path dir = fs::absolute(data_dir) / "runs" / std::to_string(task_run_id) / "static";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail("cannot create '" + dir.string() + "': " + ec.message());
  // Embedded files are keyed "<blueprint>/<name>" or "providers/<glue>/<name>"; every
  // bundle-based blueprint shares the static_react_task page that loads bundle.js, and the
  // page gets the wrap_crowd_source.js of the run's own provider.
  const std::string page_group = spec.UsesBundle() ? "static_react_task" : spec.blueprint_type;
  for (const auto& group : {page_group + "/", "providers/" + spec.provider.glue + "/"}) {
    for (const auto& [key, content] : EmbeddedFrontendFiles()) {
      if (key.rfind(group, 0) != 0) continue;
      auto written = WriteFile(dir / key.substr(group.size()), content);
      if (!written) return tl::unexpected(written.error());
    }
  }
  // static_task: the HTML template under its own name; the others: the bundle.
  auto target = spec.UsesBundle() ? fs::path("bundle.js") : fs::path(spec.task_source).filename();
  fs::copy_file(spec.task_source, dir / target, fs::copy_options::overwrite_existing, ec);
  if (ec) return Fail("cannot copy '" + spec.task_source + "': " + ec.message());
  if (auto written = WriteFile(dir / "task_config.json", FrontendArgs(spec).dump(2)); !written) {
    return tl::unexpected(written.error());
  }
  return dir.string();
}

}  // namespace throng::operator_
