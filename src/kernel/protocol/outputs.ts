// OutputEvent (the evaluator's camelCase vocabulary) → IOPub wire message.

import type { OutputEvent } from "./evaluator.js";
import type { IopubMessage, JsonObject } from "./messages.js";

function extras(metadata: JsonObject | undefined, buffers: Uint8Array[] | undefined): { metadata?: JsonObject; buffers?: Uint8Array[] } {
  return { ...(metadata === undefined ? {} : { metadata }), ...(buffers === undefined ? {} : { buffers }) };
}

export function toIopub(event: OutputEvent): IopubMessage {
  switch (event.type) {
    case "stream":
      return { msg_type: "stream", content: { name: event.name, text: event.text } };
    case "display_data":
      return {
        msg_type: "display_data",
        content: { data: event.data, metadata: event.metadata ?? {}, transient: event.displayId === undefined ? {} : { display_id: event.displayId } },
      };
    case "update_display_data":
      return {
        msg_type: "update_display_data",
        content: { data: event.data, metadata: event.metadata ?? {}, transient: { display_id: event.displayId } },
      };
    case "clear_output":
      return { msg_type: "clear_output", content: { wait: event.wait } };
    case "comm_open": {
      const content = { comm_id: event.commId, target_name: event.targetName, data: event.data };
      return {
        msg_type: "comm_open",
        content: event.targetModule === undefined ? content : { ...content, target_module: event.targetModule },
        ...extras(event.metadata, event.buffers),
      };
    }
    case "comm_msg":
    case "comm_close":
      return { msg_type: event.type, content: { comm_id: event.commId, data: event.data }, ...extras(event.metadata, event.buffers) };
  }
}
