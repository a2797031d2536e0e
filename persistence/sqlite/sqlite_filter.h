// Private to persistence/sqlite: a WHERE clause built from a query's criteria, one by one.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/runtime/instance_state.h"
#include "persistence/sqlite/sqlite_request_writer.h"
#include "persistence/sqlite/sqlite_statement.h"

namespace pmiflow::persistence::detail {

// A WHERE clause built criterion by criterion, with its arguments.
class Filter {
 public:
  // `column` = value.
  void equals(const std::string& column, Op::Arg value) {
    args_.push_back(std::move(value));
    add(column + " = ?" + std::to_string(args_.size()));
  }
  // `condition`, where "?" stands for `value`.
  void where(const std::string& condition, Op::Arg value) {
    args_.push_back(std::move(value));
    std::string c = condition;
    c.replace(c.find('?'), 1, "?" + std::to_string(args_.size()));
    add(c);
  }
  // The instance `instance_column` has tag `name` = `value`.
  void tags(const std::string& instance_column, const runtime::Tags& tags) {
    for (const auto& [name, value] : tags) {
      args_.push_back(name);
      args_.push_back(value);
      add(instance_column + " IN (SELECT instance_id FROM instance_tags WHERE name = ?" +
          std::to_string(args_.size() - 1) + " AND value = ?" + std::to_string(args_.size()) + ")");
    }
  }
  const std::string& where() const { return where_; }
  void bind(Query& q) const {
    int index = 1;
    for (const auto& arg : args_) {
      if (const auto* text = std::get_if<std::string>(&arg)) {
        q.bind(index++, *text);
      } else {
        q.bind(index++, std::get<std::int64_t>(arg));
      }
    }
  }

 private:
  void add(const std::string& condition) {
    where_ += (where_.empty() ? " WHERE " : " AND ") + condition;
  }
  std::string where_;
  std::vector<Op::Arg> args_;
};

}  // namespace pmiflow::persistence::detail
