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

}  // namespace pmiflow
