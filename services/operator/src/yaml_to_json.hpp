#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace throng::operator_ {

// A YAML value as JSON, with YAML 1.2 core-schema typing of plain scalars: null, true/false,
// integers and floats become JSON null, booleans and numbers; quoted scalars stay strings, so
// `answer: "3"` is the string "3" and `answer: 3` the number 3. Task configs use it for values
// handed to browsers or compared with what browsers send.
nlohmann::json YamlToJson(const YAML::Node& node);

}  // namespace throng::operator_
