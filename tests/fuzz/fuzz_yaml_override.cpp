// libFuzzer target: a "dotted.key=value" override from the command line (`throng launch
// ... key=value`) applied to a task config. The first line is the override; each further line
// is applied after it, so the fuzzer can stack overrides onto what earlier ones created.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "throng/common/yaml_override.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A fresh document per input: overrides mutate it.
  YAML::Node root = YAML::Load(
      "blueprint:\n"
      "  type: static_task\n"
      "  task_source: task.html\n"
      "  data_csv: data.csv\n"
      "  onboarding_data: {question: 1}\n"
      "task:\n"
      "  task_name: demo\n"
      "  task_reward: 0.5\n"
      "  qualifications: [{qualification_name: q, comparator: exists}]\n"
      "provider: {type: mock}\n"
      "scalar: 3\n");
  throng::fuzz::FuzzInput input(data, size);
  for (int i = 0; i < 8 && !input.empty(); ++i) {
    (void)throng::ApplyYamlOverride(root, input.Line());
  }
  (void)YAML::Dump(root);  // what `throng launch` stores as the run's init_params
  return 0;
}
