// The seam between a cell's value and the MIME bundles the protocol sends: the display layer
// decides how everything looks (tensors as tables and Arrow, objects that display
// themselves); this only converts its bundle to the protocol's JSON types.

import { mimeBundleOf, type MimeBundle as DisplayBundle } from "../display/index.js";
import type { JsonObject, MimeBundle } from "../protocol/messages.js";

export interface ProtocolBundle {
  data: MimeBundle;
  metadata: JsonObject;
}

/** The display layer's bundle in the protocol's types (its values are JSON by construction). */
export function toProtocolBundle(bundle: DisplayBundle): ProtocolBundle {
  return { data: bundle.data as MimeBundle, metadata: bundle.metadata as JsonObject };
}

/** The execute_result of a value: undefined shows nothing. */
export function resultBundle(value: unknown): ProtocolBundle | undefined {
  const bundle = mimeBundleOf(value);
  return bundle === undefined ? undefined : toProtocolBundle(bundle);
}
