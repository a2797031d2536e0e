#include "engine/engine/handler.h"

namespace pmiflow {

void HandlerRegistry::add(const std::string& type, std::shared_ptr<const TaskHandler> handler) {
  handlers_[type] = std::move(handler);
}

const TaskHandler* HandlerRegistry::find(const std::string& type) const {
  auto it = handlers_.find(type);
  return it == handlers_.end() ? nullptr : it->second.get();
}

std::set<std::string> HandlerRegistry::types() const {
  std::set<std::string> out;
  for (const auto& [type, handler] : handlers_) out.insert(type);
  return out;
}

void HandlerRegistry::add_start_validator(const std::string& process_key,
                                          StartDataValidator validator) {
  start_validators_[process_key] = std::move(validator);
}

void HandlerRegistry::add_start_preparer(const std::string& process_key,
                                         StartDataPreparer preparer) {
  start_preparers_[process_key] = std::move(preparer);
}

StartRequest HandlerRegistry::prepare_start(StartRequest request) const {
  auto it = start_preparers_.find(request.key.process);
  if (it != start_preparers_.end()) it->second(request);
  return request;
}

std::vector<FieldError> HandlerRegistry::start_data_errors(const StartRequest& request) const {
  auto it = start_validators_.find(request.key.process);
  if (it == start_validators_.end()) return {};
  return it->second(request);
}

Status HandlerRegistry::check_start_data(const StartRequest& request) const {
  const std::vector<FieldError> errors = start_data_errors(request);
  if (errors.empty()) return {};
  std::string message = "the start variables of " + request.key.process + " (business id " +
                        request.key.id + ") break its data contract; nothing was started:";
  for (const FieldError& e : errors) message += "\n  " + e.message;
  return make_error(ErrorCode::kValidation, message);
}

}  // namespace pmiflow
