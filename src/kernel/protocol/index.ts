// The kernel's protocol side, as the rest of the kernel (the evaluator, the CLI) uses it.
//
// ```ts
// import { readConnectionFile, startProtocolThread, kernelInfoContent } from "./protocol/index.js";
// const host = await startProtocolThread({
//   connection: await readConnectionFile(connectionFilePath),
//   evaluator,                                   // implements MainThreadEvaluator
//   kernelInfo: kernelInfoContent({ languageVersion: ts.version, implementationVersion: "0.1.0" }),
// });
// await host.stopped;                            // shutdown_request answered, sockets closed
// process.exit(0);
// ```

export { ConnectionFileError, parseConnectionInfo, readConnectionFile, toConnectionJson, type ConnectionInfo, type Ports } from "./connection.js";
export {
  describeError,
  InputInterrupted,
  InputNotAllowed,
  type CommInbound,
  type CompleteResult,
  type Evaluator,
  type ExecuteOptions,
  type ExecuteOutcome,
  type ExecuteSink,
  type HistoryQuery,
  type InspectResult,
  type IsCompleteResult,
  type MainThreadEvaluator,
  type MainThreadSink,
  type OutputEvent,
  type UserExpressionResult,
} from "./evaluator.js";
export { startProtocolThread, type ProtocolHost, type StartProtocolOptions } from "./host.js";
export { kernelInfoContent, PROTOCOL_VERSION, type HistoryTuple, type Json, type JsonObject, type KernelInfoOptions, type MimeBundle } from "./messages.js";
