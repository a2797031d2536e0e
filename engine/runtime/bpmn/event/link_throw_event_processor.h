// An intermediate link throw event: completes, and its token goes on at the link catch event of
// the same name in its scope (the parser joined them: FlowNode::link_target), as a sequence
// flow would take it there (no FlowTaken: a link is not a flow). The catch event passes the
// token through (PassThroughProcessor).
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class LinkThrowEventProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
