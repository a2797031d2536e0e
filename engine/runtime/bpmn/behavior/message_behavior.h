// Message subscriptions: opened when a message catch event or a receive task is reached or an
// activity with message boundary events is entered, closed when their owner ends, and
// correlated by the CorrelateMessage command (the engine's publish, engine.h). Each open one is
// a row of the read model (`message_subscriptions`) that publishers look up by name and key.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/common/json.h"
#include "engine/model/process_definition.h"
#include "engine/runtime/bpmn/element_processor.h"
#include "engine/runtime/bpmn/run.h"

namespace pmiflow::runtime::behavior {

// The incident kind of a subscription whose correlation key expression fails or gives neither
// a string nor a number.
inline constexpr const char* kMessageIncident = "message";

// Opens the subscription of message event or receive task `event` for element instance
// `owner`: its correlation key is evaluated now, on the instance's variables. False, with an
// incident of kind kMessageIncident at `owner`, when the key cannot be computed.
bool open_subscription(Run& run, model::NodeIndex event, const ElementRef& owner);

// Closes every subscription element instance `owner_key` owns (MessageSubscriptionClosed), in
// key order; with `only`, just the subscriptions of those events.
void close_subscriptions(Run& run, std::int64_t owner_key,
                         const std::vector<model::NodeIndex>* only = nullptr);

// Sends the message of a message throw or end event or a send task (`element`): queues it in
// the outbox (MessageQueued) addressed to the message's name, with the process variables, in
// the same transaction; another subprocess reads it there (`pmiflow outbox`).
void send_message(Run& run, const ElementRef& element);

// What a published message carries into the instance it reaches.
struct ReceivedMessage {
  std::int64_t message_key = 0;  // the store's key
  std::string message_id;        // the publisher's id (may be empty)
  Variables variables;
};

// Correlates `message` to open subscription `subscription`: MessageCorrelated, the message's
// variables set on the process, then the event is triggered (catch_event_behavior.h).
Status correlate(Run& run, const MessageSubscription& subscription, const ReceivedMessage& message);

}  // namespace pmiflow::runtime::behavior
