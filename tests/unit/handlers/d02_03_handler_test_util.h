// The harness of the D02.03 handler tests (d02_03_handlers_test.cpp, d02_03_consolidar_test.cpp):
// every handler is reached through register_handlers + HandlerRegistry::find, so the tests also
// pin the type names.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/d02_03_handlers.h"

namespace pmiflow::handlers::d02_03::handler_testing {

inline constexpr std::int64_t kNow = 1773570600000;  // 2026-03-15T10:30:00Z

using Counts = std::map<std::string, int>;

inline HandlerResult run(const std::string& type, const Variables& vars, const Counts& counts = {},
                         const Settings& settings = {}, std::int64_t now_ms = kNow) {
  HandlerRegistry registry;
  register_handlers(registry, settings);
  const TaskHandler* handler = registry.find(type);
  if (handler == nullptr) {
    ADD_FAILURE() << "no handler registered for " << type;
    return HandlerResult::failure("not registered");
  }
  HandlerContext ctx;
  ctx.instance_id = 7;
  const runtime::Tags tags = period_tags("2026", "111001000123");
  ctx.business_key = {"D02_03", "111001000123/2026"};
  ctx.tags = &tags;
  ctx.element_id = "element";
  ctx.job_id = "job-1";
  ctx.now_ms = now_ms;
  ctx.variables = &vars;
  ctx.activation_counts = &counts;
  return handler->handle(ctx);
}

// Activity 7's handler.
inline HandlerResult consolidar(const Variables& vars, const Settings& settings = {}) {
  return run("d02_03.consolidar_evaluacion", vars, {}, settings);
}

inline Json item(const std::string& name, const Json& puntaje) {
  return {{"item", name}, {"puntaje", puntaje}};
}

inline Json objetivo(const std::string& text, bool cumplido) {
  return {{"objetivo", text}, {"cumplido", cumplido}};
}

// An evaluation whose puntajes are `scores` on one item.
inline Json scores_on_one_item(std::initializer_list<int> scores) {
  Json items = Json::array();
  for (int s : scores) items.push_back(item("Pertinencia de la asesoría", s));
  return {{"items", items}};
}

// What activity 7 writes when no evaluation came.
inline const Json kSinEvaluacion = {
    {"estado", "sin_evaluacion"},
    {"promedio_por_item", Json::object()},
    {"promedio_general", nullptr},
    {"respuestas", 0},
    {"objetivos_total", 0},
    {"objetivos_cumplidos", 0},
    {"porcentaje_objetivos_cumplidos", nullptr},
    {"umbral_satisfaccion", 3.5},
    {"bajo_umbral", false},
    {"observaciones", ""},
    {"motivo",
     "Sin evaluación dentro del plazo: el EE no registró su evaluación antes del plazo máximo de "
     "la SE"}};

}  // namespace pmiflow::handlers::d02_03::handler_testing
