// The syntax tree of a compiled FEEL expression (private to engine/feel).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/json.h"

namespace pmiflow::feel {

struct Builtin;  // builtins.h

enum class NodeKind {
  kLiteral,   // value
  kVariable,  // name, members
  kPath,      // children[0], members
  kList,      // children
  kNegate,    // children[0], negations
  kNot,       // children[0]
  kAnd,       // children (two or more)
  kOr,        // children (two or more)
  kCompare,   // children[0] ops[0] children[1]
  kArith,     // children[0] ops[0] children[1] ops[1] ... (left-associative)
  kIn,        // children[0] in children[1]
  kCall,      // builtin(children...)
  kContext,   // { members[i]: children[i], ... } (an entry sees the ones before it)
  kFilter,    // children[0] [ children[1] ]: an index when children[1] is a number, else a
              // filter over the list's items (each `item`, and its members by name)
};

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv };

// An AST node; which fields are used depends on `kind` (see NodeKind).
class Node {
 public:
  explicit Node(NodeKind k) : kind(k) {}

  NodeKind kind;
  Json value;
  std::string name;
  std::vector<std::string> members;
  std::vector<std::unique_ptr<Node>> children;
  std::vector<Op> ops;
  size_t negations = 0;
  const Builtin* builtin = nullptr;  // kCall
};

}  // namespace pmiflow::feel
