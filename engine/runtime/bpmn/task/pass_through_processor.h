// Elements with no behaviour of their own: a manualTask and a plain task (work done outside the
// engine, not tracked), and an intermediate none throw event (a milestone in the history). The
// token passes through at once.
#pragma once

#include "engine/runtime/bpmn/element_processor.h"

namespace pmiflow::runtime {

class PassThroughProcessor final : public ElementProcessor {
 public:
  void on_activate(Run& run, const ElementRef& element) const override;
};

}  // namespace pmiflow::runtime
