// BPMN XML (engine/model/bpmn_parser.h): what `validate` and `deploy` read. Any input gives
// diagnostics or a definition, never an exception (the parser would turn one into an
// "internal error" diagnostic); a definition's indexes point inside it and all its text, and
// the diagnostics', is UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/model/bpmn_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace pmiflow::fuzz {
namespace {

void check_definition(const model::ProcessDefinition& def) {
  check_utf8(def.key, "process id is UTF-8");
  check_utf8(def.name, "process name is UTF-8");
  for (const model::FlowNode& n : def.nodes) {
    check_utf8(n.id, "node id is UTF-8");
    check_utf8(n.name, "node name is UTF-8");
    check_utf8(n.form_id, "form id is UTF-8");
    check_utf8(n.task_type, "task type is UTF-8");
    check_utf8(n.record, "record kind is UTF-8");
    for (const auto& g : n.candidate_groups) check_utf8(g, "candidate group is UTF-8");
    for (const auto& s : n.notify) check_utf8(s, "notify is UTF-8");
    for (model::FlowIndex f : n.incoming) check(f < def.flows.size(), "incoming flow in range");
    for (model::FlowIndex f : n.outgoing) check(f < def.flows.size(), "outgoing flow in range");
    check(n.default_flow == model::kNone || n.default_flow < def.flows.size(),
          "default flow in range");
    check(def.find_node(n.id) != model::kNone, "node found by id");
  }
  for (const model::SequenceFlow& f : def.flows) {
    check_utf8(f.id, "flow id is UTF-8");
    check_utf8(f.name, "flow name is UTF-8");
    check(f.source < def.nodes.size() && f.target < def.nodes.size(), "flow ends in range");
    if (f.condition) check_utf8(f.condition->text(), "condition is UTF-8");
  }
  for (model::NodeIndex s : def.start_events) check(s < def.nodes.size(), "start in range");
}

}  // namespace
}  // namespace pmiflow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pmiflow;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  // D02.03's handler types, so that the check of service task types runs too.
  const model::ValidationOptions options{
      {"d02_03.clasificar_establecimiento", "d02_03.consolidar_evaluacion",
       "d02_03.generar_informacion", "d02_03.reporte_irregularidades"}};
  model::LoadOutput loaded = model::load_bpmn(xml, "fuzz.bpmn", options);
  for (const model::Diagnostic& d : loaded.diagnostics) {
    fuzz::check(d.message.rfind("internal error", 0) != 0, "no internal error");
    fuzz::check_utf8(d.message, "diagnostic message is UTF-8");
    fuzz::check_utf8(d.element_id, "diagnostic element id is UTF-8");
  }
  fuzz::check(loaded.definition.has_value() != model::has_errors(loaded.diagnostics),
              "a definition exactly when there is no error");
  if (loaded.definition) fuzz::check_definition(*loaded.definition);
  return 0;
}
