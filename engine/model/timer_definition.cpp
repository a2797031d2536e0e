#include "engine/model/timer_definition.h"

namespace pmiflow::model {

Result<TimerSchedule> schedule_timer(TimerDefinition::Kind kind, std::string_view text,
                                     std::int64_t now_ms, const time::Zone& zone) {
  switch (kind) {
    case TimerDefinition::Kind::kDate: {
      auto date_time = time::parse_date_time(text);
      if (!date_time.ok()) {
        auto date = time::parse_date(text);
        if (!date.ok()) {
          return make_error(ErrorCode::kInvalidArgument,
                            time::quote_text(text) +
                                " is not a date and time (e.g. 2027-11-30T23:59:00, "
                                "2027-11-30T23:59:00-05:00 or 2027-11-30)");
        }
        date_time = time::DateTime{date->days * time::kMsPerDay, {}};
      }
      auto due = time::instant_of(*date_time, zone);
      if (!due.ok()) return due.error();
      return TimerSchedule{*due, std::nullopt};
    }
    case TimerDefinition::Kind::kDuration: {
      auto duration = time::parse_timer_duration(text);
      if (!duration.ok()) return duration.error();
      auto due = time::add_duration(now_ms, *duration, zone);
      if (!due) {
        return make_error(ErrorCode::kInvalidArgument,
                          "duration " + time::quote_text(text) + " goes beyond the calendar");
      }
      return TimerSchedule{*due, std::nullopt};
    }
    case TimerDefinition::Kind::kCycle: {
      auto cycle = time::Cycle::parse(text);
      if (!cycle.ok()) return cycle.error();
      auto due = cycle->fire(now_ms, 0, now_ms, zone);
      if (!due) {
        return make_error(ErrorCode::kInvalidArgument,
                          "cycle " + time::quote_text(text) + " never fires");
      }
      return TimerSchedule{*due, std::move(*cycle)};
    }
  }
  return make_error(ErrorCode::kInternal, "unknown timer kind");
}

}  // namespace pmiflow::model
