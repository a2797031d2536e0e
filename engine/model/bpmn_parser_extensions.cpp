// The parser's reading of Zeebe extensions (bpmn_parser_impl.h): on the process, and on flow
// nodes (task definitions, assignments, forms, pmiflow's own properties).
#include <string>
#include <string_view>

#include "engine/model/bpmn_parser_impl.h"
#include "engine/model/xml_text.h"
#include "engine/model/zeebe_values.h"
#include "engine/time/temporal.h"

namespace pmiflow::model::detail {

// Process-level zeebe extensions: forms, properties and the version tag are inert here; the
// others (e.g. execution listeners) would run code and are not supported.
void Parser::check_process_extensions(pugi::xml_node extension_elements, const std::string& id) {
  for (pugi::xml_node ext : extension_elements.children()) {
    if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace) continue;
    std::string_view name = local_name(ext);
    if (name == "userTaskForm" || name == "properties" || name == "versionTag") continue;
    error(ext, id, "unsupported Camunda extension <zeebe:" + std::string(name) + "> on <process>");
  }
}

// Reads zeebe:property entries named pmiflow.*; other properties are the modeler's metadata and
// are ignored. Returns false on an unknown pmiflow.* name or a misplaced one.
bool Parser::parse_properties(pugi::xml_node properties, const std::string& id, FlowNode& node) {
  bool ok = true;
  for (pugi::xml_node property : properties.children()) {
    if (property.type() != pugi::node_element || local_name(property) != "property") continue;
    std::string name(trim(property.attribute("name").value()));
    std::string value(trim(property.attribute("value").value()));
    if (name.rfind("pmiflow.", 0) != 0) continue;
    bool is_task = node.kind == NodeKind::kUserTask || node.kind == NodeKind::kServiceTask;
    if ((name == "pmiflow.record" || name == "pmiflow.recordResponsible" ||
         name == "pmiflow.notify") &&
        !is_task) {
      error(property, id, "zeebe:property " + name + " is supported on tasks only");
      ok = false;
    } else if (name == "pmiflow.async") {
      if (node.kind != NodeKind::kServiceTask && node.kind != NodeKind::kSendTask) {
        error(property, id, "zeebe:property pmiflow.async is supported on service tasks only");
        ok = false;
      } else if (value != "true" && value != "false") {
        error(property, id, "zeebe:property pmiflow.async is '" + value + "', not true or false");
        ok = false;
      }
      node.async = value == "true";
    } else if (name == "pmiflow.businessId") {
      feel::Expression expression;
      if (node.kind != NodeKind::kCallActivity) {
        error(property, id,
              "zeebe:property pmiflow.businessId is supported on call activities only");
        ok = false;
      } else if (value.empty() || value.front() != '=') {
        error(property, id,
              "zeebe:property pmiflow.businessId '" + value +
                  "' is not a FEEL expression (it starts with '=')");
        ok = false;
      } else if (compile_expression(property, id, "zeebe:property pmiflow.businessId", value,
                                    expression)) {
        node.child_business_id = std::move(expression);
      } else {
        ok = false;
      }
    } else if (name == "pmiflow.record") {
      if (value.empty()) {
        error(property, id, "zeebe:property pmiflow.record needs a value (the record kind)");
        ok = false;
      }
      node.record = value;
    } else if (name == "pmiflow.recordResponsible") {
      if (value.empty()) {
        error(property, id,
              "zeebe:property pmiflow.recordResponsible needs a value (the role that keeps the "
              "records)");
        ok = false;
      }
      node.record_responsible = value;
    } else if (name == "pmiflow.notify") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        std::string item(trim(std::string_view(value).substr(start, comma - start)));
        if (!item.empty()) node.notify.push_back(item);
        start = comma + 1;
      }
      if (node.notify.empty()) {
        error(property, id, "zeebe:property pmiflow.notify needs a value (subprocess codes)");
        ok = false;
      }
    } else {
      error(property, id,
            "unknown zeebe:property " + name +
                " (supported: pmiflow.record, pmiflow.recordResponsible, pmiflow.notify, "
                "pmiflow.async, pmiflow.businessId)");
      ok = false;
    }
  }
  if (!node.record_responsible.empty() && node.record.empty()) {
    error(properties, id,
          "zeebe:property pmiflow.recordResponsible names who keeps the records of "
          "pmiflow.record, which this task does not have");
    ok = false;
  }
  return ok;
}

// Reads <zeebe:header key="..." value="..."/> entries: unique, non-empty keys; retryBackoff
// must be a duration of days and time (no years or months: a backoff is a fixed wait).
bool Parser::parse_task_headers(pugi::xml_node headers, const std::string& id, FlowNode& node) {
  bool ok = true;
  for (pugi::xml_node header : headers.children()) {
    if (header.type() != pugi::node_element || local_name(header) != "header") continue;
    std::string key(trim(header.attribute("key").value()));
    std::string value = header.attribute("value").value();
    if (key.empty()) {
      error(header, id, "zeebe:header without a key");
      ok = false;
      continue;
    }
    bool repeated = false;
    for (const auto& [k, v] : node.task_headers) repeated = repeated || k == key;
    if (repeated) {
      error(header, id, "zeebe:header '" + key + "' is given more than once");
      ok = false;
      continue;
    }
    if (key == "retryBackoff") {
      auto backoff = time::parse_duration(trim(value));
      if (!backoff.ok() || backoff->has_months || backoff->total_ms() < 0) {
        error(header, id,
              "zeebe:header retryBackoff '" + value +
                  "' is not a duration of days and time (e.g. PT10S, PT5M, P1D)");
        ok = false;
        continue;
      }
      node.retry_backoff_ms = backoff->total_ms();
    }
    node.task_headers.emplace_back(std::move(key), std::move(value));
  }
  return ok;
}

// Reads <zeebe:script expression="=..." resultVariable="..."/>: a FEEL expression (with its
// leading '=') whose value the task sets as its result variable.
bool Parser::parse_script(pugi::xml_node script, const std::string& id, FlowNode& node) {
  if (node.script) {
    error(script, id, "more than one zeebe:script");
    return false;
  }
  const std::string_view text = trim(script.attribute("expression").value());
  std::string result(trim(script.attribute("resultVariable").value()));
  if (text.empty() || text.front() != '=') {
    error(script, id,
          "zeebe:script expression '" + std::string(text) +
              "' is not a FEEL expression (it starts with '=')");
    return false;
  }
  if (result.empty()) {
    error(script, id, "zeebe:script has no resultVariable (the variable its value is set to)");
    return false;
  }
  feel::Expression expression;
  if (!compile_expression(script, id, "zeebe:script expression", text, expression)) return false;
  node.script = std::move(expression);
  node.result_variable = std::move(result);
  return true;
}

// Reads the zeebe extensions of a node. Other vendors' extensions are ignored. Returns false
// when an extension that would change behaviour is not supported.
bool Parser::parse_extensions(pugi::xml_node extension_elements, const std::string& id,
                              FlowNode& node, bool& has_task_definition) {
  bool ok = true;
  bool has_assignment = false;
  bool has_form = false;
  const std::string tag = "<" + std::string(node_kind_name(node.kind)) + ">";
  for (pugi::xml_node ext : extension_elements.children()) {
    if (ext.type() != pugi::node_element || namespace_of(ext) != kZeebeNamespace) continue;
    std::string_view name = local_name(ext);
    const std::string zname = "zeebe:" + std::string(name);
    if (name == "versionTag") continue;
    if (name == "properties") {
      ok = parse_properties(ext, id, node) && ok;
      continue;
    }
    const bool job_task = node.kind == NodeKind::kServiceTask || node.kind == NodeKind::kSendTask ||
                          node.kind == NodeKind::kScriptTask;
    if (node.kind == NodeKind::kScriptTask && name == "script") {
      ok = parse_script(ext, id, node) && ok;
      continue;
    }
    if (job_task && name == "taskDefinition") {
      if (has_task_definition) {
        error(ext, id, "more than one zeebe:taskDefinition");
        ok = false;
        continue;
      }
      has_task_definition = true;
      std::string type(trim(ext.attribute("type").value()));
      if (!type.empty() && type.front() == '=') {
        error(ext, id,
              "zeebe:taskDefinition type '" + type +
                  "' is an expression; only a static task type is supported");
        ok = false;
      } else {
        node.task_type = type;
      }
      pugi::xml_attribute retries = ext.attribute("retries");
      if (retries) {
        if (!parse_retries(retries.value(), node.retries)) {
          error(ext, id,
                "zeebe:taskDefinition retries '" + std::string(retries.value()) +
                    "' is not a non-negative integer");
          ok = false;
        }
      } else {
        node.retries = kDefaultRetries;
      }
      continue;
    }
    if (job_task && name == "taskHeaders") {
      ok = parse_task_headers(ext, id, node) && ok;
      continue;
    }
    if (node.kind == NodeKind::kUserTask && name == "assignmentDefinition") {
      if (has_assignment) {
        error(ext, id, "more than one zeebe:assignmentDefinition");
        ok = false;
        continue;
      }
      has_assignment = true;
      pugi::xml_attribute groups = ext.attribute("candidateGroups");
      if (groups && !parse_candidate_groups(groups.value(), node.candidate_groups)) {
        error(ext, id,
              "zeebe:assignmentDefinition candidateGroups '" + std::string(groups.value()) +
                  "' is neither a comma-separated list nor a FEEL list of string literals");
        ok = false;
      }
      for (const char* ignored : {"assignee", "candidateUsers"}) {
        if (!trim(ext.attribute(ignored).value()).empty()) {
          warning(ext, id,
                  "zeebe:assignmentDefinition " + std::string(ignored) +
                      " is ignored (tasks are assigned by candidateGroups)");
        }
      }
      continue;
    }
    if (node.kind == NodeKind::kUserTask && name == "formDefinition") {
      if (has_form) {
        error(ext, id, "more than one zeebe:formDefinition");
        ok = false;
        continue;
      }
      has_form = true;
      for (const char* attribute : {"formId", "formKey", "externalReference"}) {
        std::string value(trim(ext.attribute(attribute).value()));
        if (!value.empty()) {
          node.form_id = value;
          break;
        }
      }
      continue;
    }
    if (node.kind == NodeKind::kCallActivity && name == "calledElement") {
      ok = parse_called_element(ext, id, node) && ok;
      continue;
    }
    if (name == "ioMapping") {
      ok = parse_element_io_mapping(ext, id, node) && ok;
      continue;
    }
    if (node.kind == NodeKind::kUserTask && (name == "userTask" || name == "priorityDefinition")) {
      continue;  // the Camunda user task marker and its priority: no effect here
    }
    if (node.kind == NodeKind::kUserTask && name == "taskSchedule") {
      warning(ext, id, "zeebe:taskSchedule is ignored (no due or follow-up dates)");
      continue;
    }
    error(ext, id, "unsupported Camunda extension <" + zname + "> on " + tag);
    ok = false;
  }
  return ok;
}

}  // namespace pmiflow::model::detail
