/**
 * Rich display for the kernel: MIME bundles of values (tensors, objects that display
 * themselves), the `display` API with updates by display_id, the `tslab` module, and comms.
 * See README.md for the tensor HTML and Arrow layouts.
 */
export { bundleOf, mimeBundleOf, plainText, tensorBundle, JUPYTER_DISPLAY, type MimeBundle } from "./bundle.js";
export {
  createDisplayApi,
  type BinaryData,
  type DisplayApi,
  type DisplayFunction,
  type DisplayHandle,
  type DisplayOptions,
  type DisplaySink,
  type TslabDisplay,
  type TslabModule,
} from "./display_api.js";
export { tensorHtml, tensorCaption } from "./tensor_html.js";
export { ARROW_MIME, ARROW_VALUE_TYPES, arrowOptions, tensorArrowBase64, tensorArrowTable } from "./tensor_arrow.js";
export { Comm, CommManager, type CommMessage, type CommOpenMessage, type CommSink, type CommTargetHandler } from "./comms.js";
